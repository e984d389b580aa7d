import 'reflect-metadata';
import { createLogger } from '#adapters';
import { createApiApp } from '../../api/src/create-api-app.js';
import { ProjectorDaemon } from '../../projector/src/projector.daemon.js';
import { startReactors } from '../../projector/src/reactors/reactors.js';
import { loadConfigOrExit } from '#runtime';
import { setUpDemo, startDemoGitHubFromArgs } from './demo.js';
import { startEmbeddedDatabase } from '#runtime';
import { bannerSession } from './local-organization.js';
import { openRuntime } from '#runtime';
import { onShutdown } from '#runtime';

/**
 * All-in-one: the api and the projector in one process, on an embedded PostgreSQL under
 * DATA_DIR (./.data) unless DATABASE_URL points at a server.
 */
const demo = await startDemoGitHubFromArgs(process.argv, process.env);
const config = loadConfigOrExit();
const logger = createLogger('console');
const embedded = config.databaseUrl
  ? null
  : await startEmbeddedDatabase({
      dataDir: config.dataDir,
      port: config.embeddedDatabasePort,
      persistent: true,
      log: (message) => logger.info(message),
    });
const runtime = await openRuntime(config, { databaseUrl: config.databaseUrl ?? embedded!.url, logger });
const projector = new ProjectorDaemon({ store: runtime.store, pool: runtime.projectorPool, connectionString: runtime.databaseUrl, logger });
await projector.start();
const reactors = await startReactors(runtime);
const app = await createApiApp(runtime);
await app.listen(config.port, config.host);
onShutdown(
  logger,
  () => app.close(),
  () => reactors.stop(),
  () => projector.stop(),
  () => runtime.close(),
  async () => embedded?.stop(),
  async () => demo?.close(),
);

const url = `http://${config.host}:${config.port}`;
const { token } = await bannerSession(runtime);
process.stdout.write(`
Console is running at ${url} (${embedded ? `embedded PostgreSQL, data in ${config.dataDir}` : 'external PostgreSQL'})

Try it (a 12-hour local token for user_local, admin of organization "acme"):
  export TOKEN=${token}
  curl -s -X POST ${url}/v1/orgs/acme/workspaces -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"docs"}'
  curl -s ${url}/v1/orgs/acme/workspaces -H "Authorization: Bearer $TOKEN"

More tokens: npm run console -- token --user <id> --org <slug> --role admin|member
`);
if (demo) {
  const setup = await setUpDemo(url, token, demo);
  process.stdout.write(`
Demo mode: a fake GitHub at ${demo.url} serves the repository demo/docs (GitHub App ${demo.appId}, installation ${demo.installationId}).
It is connected to "acme" and being indexed now (job ${setup.jobId}):
  curl -s ${url}/v1/orgs/acme/workspaces/${encodeURIComponent(setup.workspaceName)}/jobs/${setup.jobId} -H "Authorization: Bearer $TOKEN"
  curl -s ${url}/v1/orgs/acme/repositories/${setup.repositoryId} -H "Authorization: Bearer $TOKEN"
Search it with the API key created for you (shown once):
  export KEY=${setup.apiKey}
  curl -s -X POST ${url}/v1/search -H "Authorization: Bearer $KEY" -H 'X-Workspace-ID: ${setup.workspaceId}' -H 'Content-Type: application/json' -d '{"query":"blob sha","topK":3,"filters":{"labels":["store:docs"]}}'
`);
}
