import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Runtime } from './runtime.js';

// One token per shared object: a class injects what it uses (`@Inject(EVENT_STORE)`), never the
// whole runtime, so its constructor says which infrastructure it touches.
export const CONFIG = Symbol('CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
/** The read-model database (TypeORM DataSource): queries, projections' tables, quotas. */
export const READ_DATABASE = Symbol('READ_DATABASE');
export const LOGGER = Symbol('LOGGER');
export const CHECKPOINTS = Symbol('CHECKPOINTS');
/** Verifies the session tokens the API accepts: Clerk's when configured, else the local provider's. */
export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');
export const TOKEN_CIPHER = Symbol('TOKEN_CIPHER');
/** A pool for long sessions (projection status, advisory locks); request queries use READ_DATABASE. */
export const PROJECTOR_POOL = Symbol('PROJECTOR_POOL');

/** What the api needs of the cipher; resolved on first use so a process that never seals a token creates no key. */
export type Cipher = Pick<Runtime['cipher'], 'encrypt' | 'decrypt' | 'deriveKey'>;

@Global()
@Module({})
export class RuntimeModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    const cipher: Cipher = {
      encrypt: (plaintext) => runtime.cipher.encrypt(plaintext),
      decrypt: (sealed) => runtime.cipher.decrypt(sealed),
      deriveKey: (purpose) => runtime.cipher.deriveKey(purpose),
    };
    const providers: Provider[] = [
      { provide: CONFIG, useValue: runtime.config },
      { provide: EVENT_STORE, useValue: runtime.store },
      { provide: READ_DATABASE, useValue: runtime.dataSource },
      { provide: LOGGER, useValue: runtime.logger },
      { provide: CHECKPOINTS, useValue: runtime.checkpoints },
      { provide: SESSION_AUTHENTICATOR, useValue: runtime.authenticator },
      { provide: TOKEN_CIPHER, useValue: cipher },
      { provide: PROJECTOR_POOL, useValue: runtime.projectorPool },
    ];
    return {
      module: RuntimeModule,
      global: true,
      providers,
      exports: providers.map((provider) => (provider as { provide: symbol }).provide),
    };
  }
}
