import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { ApiStoreQueries } from '../stores/store.queries.js';
import { ContentsController } from './contents.controller.js';
import { ApiDocumentQueries } from './document.queries.js';
import { SearchEmbeddings } from './search-embeddings.js';
import { SearchController } from './search.controller.js';
import { SearchService } from './search.service.js';
import { WorkspaceKeyAccess } from './workspace-key-access.js';

/** `contents.fetch` and `search.query`: the **key** routes (API key + X-Workspace-ID). */
@Module({})
export class SearchModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: SearchModule,
      controllers: [ContentsController, SearchController],
      providers: [{ provide: RUNTIME, useValue: runtime }, WorkspaceKeyAccess, ApiStoreQueries, ApiDocumentQueries, SearchEmbeddings, SearchService],
    };
  }
}
