import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { ApiKeyAuthenticator } from './api-key.authenticator.js';
import { ApiKeyQueries } from './api-key.queries.js';
import { ApiKeysController } from './api-keys.controller.js';

/** `account.apiKeys.*`; exports the authenticator for the AuthGuard. */
@Module({})
export class ApiKeysModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: ApiKeysModule,
      controllers: [ApiKeysController],
      providers: [{ provide: RUNTIME, useValue: runtime }, ApiKeyQueries, ApiKeyAuthenticator],
      exports: [ApiKeyAuthenticator],
    };
  }
}
