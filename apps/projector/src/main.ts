import 'reflect-metadata';
import { createLogger } from '#integrations';
import { loadConfig } from '../../console/src/config.js';
import { openRuntime } from '../../console/src/runtime.js';
import { onShutdown } from '../../console/src/shutdown.js';
import { ProjectorDaemon } from './projector.daemon.js';

/** The projector daemon alone. Several may run: each projection is written by one, the others stand by. */
const config = loadConfig();
const logger = createLogger('projector');
if (!config.databaseUrl) throw new Error('DATABASE_URL is required for start:projector; `npm start` runs everything on an embedded database');
const runtime = await openRuntime(config, { databaseUrl: config.databaseUrl, logger });
const daemon = new ProjectorDaemon({ store: runtime.store, pool: runtime.projectorPool, connectionString: runtime.databaseUrl, logger });
await daemon.start();
onShutdown(logger, () => daemon.stop(), () => runtime.close());
