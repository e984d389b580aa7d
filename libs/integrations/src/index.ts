export * from './observability/logger.js';
export * from './observability/metrics.js';
export * from './identity/principal.js';
export * from './identity/local-identity-provider.js';
export * from './identity/session-token.verifier.js';
