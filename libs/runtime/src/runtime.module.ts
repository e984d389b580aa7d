import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Runtime } from './runtime.js';

// One token per shared object: a class injects what it uses (`@Inject(EVENT_STORE)`), never the
// whole runtime, so its constructor says which infrastructure it touches.
export const CONFIG = Symbol('CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
/**
 * The database the api reads its read models from (TypeORM DataSource): queries and caches. The
 * read replica when DATABASE_READ_URL is set: never write through it.
 */
export const READ_DATABASE = Symbol('READ_DATABASE');
/** The read-model database's primary: the api's few writes outside the event store (search's embedding cache), and quotas' counts. */
export const PRIMARY_DATABASE = Symbol('PRIMARY_DATABASE');
export const LOGGER = Symbol('LOGGER');
/** Waits for projections as READ_DATABASE has applied them (`?minPosition=`, caches). */
export const CHECKPOINTS = Symbol('CHECKPOINTS');
/** Waits for projections as PRIMARY_DATABASE has applied them: for checks on a command's path (quotas). */
export const PRIMARY_CHECKPOINTS = Symbol('PRIMARY_CHECKPOINTS');
/** Verifies the session tokens the API accepts: Clerk's when configured, else the local provider's. */
export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');
export const TOKEN_CIPHER = Symbol('TOKEN_CIPHER');
/** A pool for long sessions (projection status, advisory locks); request queries use READ_DATABASE. */
export const PROJECTOR_POOL = Symbol('PROJECTOR_POOL');
/** Mints local session tokens (the console's one-time sign-in); they verify only when Clerk is not configured. */
export const LOCAL_IDENTITY = Symbol('LOCAL_IDENTITY');

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
      { provide: READ_DATABASE, useValue: runtime.readDataSource },
      { provide: PRIMARY_DATABASE, useValue: runtime.dataSource },
      { provide: LOGGER, useValue: runtime.logger },
      { provide: CHECKPOINTS, useValue: runtime.readCheckpoints },
      { provide: PRIMARY_CHECKPOINTS, useValue: runtime.checkpoints },
      { provide: SESSION_AUTHENTICATOR, useValue: runtime.authenticator },
      { provide: TOKEN_CIPHER, useValue: cipher },
      { provide: PROJECTOR_POOL, useValue: runtime.projectorPool },
      { provide: LOCAL_IDENTITY, useValue: runtime.identity },
    ];
    return {
      module: RuntimeModule,
      global: true,
      providers,
      exports: providers.map((provider) => (provider as { provide: symbol }).provide),
    };
  }
}
