import 'reflect-metadata';
import { createLogger } from '#integrations';
import { createApiApp } from '../../api/src/create-api-app.js';
import { ProjectorDaemon } from '../../projector/src/projector.daemon.js';
import { loadConfig } from './config.js';
import { startEmbeddedDatabase } from './embedded-database.js';
import { openRuntime } from './runtime.js';
import { onShutdown } from './shutdown.js';

/**
 * All-in-one: the api and the projector in one process, on an embedded PostgreSQL under
 * DATA_DIR (./.data) unless DATABASE_URL points at a server.
 */
const config = loadConfig();
const logger = createLogger('console');
const embedded = config.databaseUrl
  ? null
  : await startEmbeddedDatabase({ dataDir: config.dataDir, port: config.embeddedDatabasePort, persistent: true, log: (message) => logger.info(message) });
const runtime = await openRuntime(config, { databaseUrl: config.databaseUrl ?? embedded!.url, logger });
const projector = new ProjectorDaemon({ store: runtime.store, pool: runtime.projectorPool, connectionString: runtime.databaseUrl, logger });
await projector.start();
const app = await createApiApp(runtime);
await app.listen(config.port, config.host);
onShutdown(logger, () => app.close(), () => projector.stop(), () => runtime.close(), async () => embedded?.stop());

const url = `http://${config.host}:${config.port}`;
const token = await runtime.identity.mint({ userId: 'user_local', organizationSlug: 'acme', role: 'admin' });
process.stdout.write(`
Console is running at ${url} (${embedded ? `embedded PostgreSQL, data in ${config.dataDir}` : 'external PostgreSQL'})

Try it (a 12-hour local token for user_local, admin of organization "acme"):
  export TOKEN=${token}
  curl -s -X POST ${url}/v1/orgs/acme/workspaces -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"docs"}'
  curl -s ${url}/v1/orgs/acme/workspaces -H "Authorization: Bearer $TOKEN"

More tokens: npm run console -- token --user <id> --org <slug> --role admin|member
`);
