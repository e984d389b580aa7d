import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { Quotas } from './quotas.service.js';

/** Global: workspaces, API keys, repositories and webhooks all check quotas through one `Quotas`. */
@Module({})
export class QuotasModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: QuotasModule,
      global: true,
      providers: [{ provide: RUNTIME, useValue: runtime }, Quotas],
      exports: [Quotas],
    };
  }
}
