import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import { WorkspaceQueries } from '../workspaces/workspace.queries.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { ApiStoreQueries } from './store.queries.js';
import { StoresController } from './stores.controller.js';

/** `stores.*`: get-or-create, list and get, for members of the workspace's organization. */
@Module({})
export class StoresModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: StoresModule,
      controllers: [StoresController],
      providers: [{ provide: RUNTIME, useValue: runtime }, WorkspaceQueries, ApiStoreQueries],
      exports: [ApiStoreQueries],
    };
  }
}
