import 'reflect-metadata';
import { createLogger } from '#adapters';
import { loadConfigOrExit } from '#runtime';
import { openRuntime } from '#runtime';
import { onShutdown } from '#runtime';
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
onShutdown(
  logger,
  () => reactors.stop(),
  () => daemon.stop(),
  () => runtime.close(),
);
