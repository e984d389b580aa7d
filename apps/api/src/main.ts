import 'reflect-metadata';
import { createLogger } from '#adapters';
import { loadConfigOrExit } from '#runtime';
import { openRuntime } from '#runtime';
import { onShutdown } from '#runtime';
import { createApiApp } from './create-api-app.js';
import { listen, PortInUseError } from './listen.js';

/** The api alone (production shape): DATABASE_URL is required; projections run in apps/projector. */
const config = loadConfigOrExit();
const logger = createLogger('api');
if (!config.databaseUrl) throw new Error('DATABASE_URL is required for start:api; `npm start` runs everything on an embedded database');
const runtime = await openRuntime(config, { databaseUrl: config.databaseUrl, readDatabaseUrl: config.databaseReadUrl, logger });
const app = await createApiApp(runtime);
try {
  await listen(app, config.port, config.host);
} catch (error) {
  if (!(error instanceof PortInUseError)) throw error;
  await app.close();
  await runtime.close();
  process.stderr.write(`api cannot start: ${error.message}\n`);
  process.exit(1);
}
onShutdown(
  logger,
  () => app.close(),
  () => runtime.close(),
);
logger.info({ url: `http://${config.host}:${config.port}` }, 'api listening');
