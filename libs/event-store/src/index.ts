export * from './event-store.port.js';
export * from './position.js';
export * from './upcasters.js';
export { PostgresEventStore, isConnectionError, type PostgresEventStoreOptions } from './postgres/postgres.event-store.js';
export * from './command-handler.js';
