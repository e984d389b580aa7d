export * from './event-store.port.js';
export * from './position.js';
export * from './upcasters.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres.event-store.js';
export type { GroupCommitOptions } from './postgres/postgres.group-commit.js';
export { isConnectionError } from './connection-errors.js';
export * from './command-handler.js';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
  type EventStoreDbClientApi,
} from './eventstoredb/eventstoredb.event-store.js';
export type { ResubscribeBackoff, EventStoreDbLogger } from './eventstoredb/eventstoredb.subscription.js';
