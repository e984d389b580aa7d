import 'reflect-metadata';
import { createLogger } from '#adapters';
import { loadConfigOrExit } from '#runtime';
import { openRuntime } from '#runtime';
import { onShutdown } from '#runtime';
import { startProjectorHealthServer, type ProjectorHealthServer } from './health-server.js';
import { ProjectorDaemon } from './projector.daemon.js';
import { startReactors } from './reactors/reactors.js';

/** The projector daemon and the reactors (ingestion). Several may run: each projection is written by one, the others stand by. */
const config = loadConfigOrExit();
const logger = createLogger('projector');
if (!config.databaseUrl)
  throw new Error('DATABASE_URL is required for start:projector; `npm start` runs everything on an embedded database');
const runtime = await openRuntime(config, { databaseUrl: config.databaseUrl, logger });
const daemon = new ProjectorDaemon({ store: runtime.store, pool: runtime.projectorPool, connectionString: runtime.databaseUrl, logger });
await daemon.start();
const reactors = await startReactors(runtime);
let health: ProjectorHealthServer;
try {
  health = await startProjectorHealthServer({
    host: config.host,
    port: config.projectorPort,
    runners: daemon.runners,
    store: runtime.store,
    pool: runtime.projectorPool,
    logger,
    metricsToken: config.metricsToken,
  });
} catch (error) {
  // A port taken by another process (a second projector on one host needs its own PROJECTOR_PORT) is fatal: a probe
  // or scraper would otherwise talk to the wrong process.
  logger.fatal({ err: error, host: config.host, port: config.projectorPort }, 'cannot serve health and metrics; set PROJECTOR_PORT');
  await Promise.allSettled([reactors.stop(), daemon.stop()]);
  await runtime.close().catch(() => undefined);
  process.exit(1);
}
logger.info({ url: health.url }, 'projector health and metrics listening');
onShutdown(
  logger,
  () => health.close(), // first: probes report the process gone while the batch in flight commits
  () => reactors.stop(),
  () => daemon.stop(),
  () => runtime.close(),
);
