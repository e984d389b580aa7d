// The composition root every process shares: configuration, the opened runtime (event store, read
// database, checkpoints, identity, cipher), the embedded PostgreSQL, shutdown, and the Nest module
// that hands each of those to the classes that use them. It imports libraries only, never an app.
export * from './config.js';
export * from './limits.config.js';
export * from './runtime.js';
export * from './storage-schema.js';
export * from './embedded-database.js';
export * from './embedded-attach.js';
export * from './shutdown.js';
export * from './projection-status.js';
export * from './runtime.module.js';
export * from './operator/dead-letters.js';
export * from './operator/projection-rebuilds.js';
export * from './operator/projection-processes.js';
