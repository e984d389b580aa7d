// The projection spec helpers (they use Jest's globals): `#testing/projection`, for specs only.
export * from './projection/event-log.js';
export * from './projection/checkpointed-batch.js';
export * from './projection/projection-spec.js';
export * from './projection/projection.contract.js';
export * from './projection/read-model-database.js';
