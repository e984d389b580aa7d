/** Injection tokens for the process-wide runtime objects (see apps/console/src/runtime.ts). */
export const RUNTIME = Symbol('RUNTIME');
