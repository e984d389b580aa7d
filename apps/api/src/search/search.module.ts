import { Module } from '@nestjs/common';
import { ApiStoreQueries } from '../document-stores/document-store.queries.js';
import { ContentsController } from './contents.controller.js';
import { ApiDocumentQueries } from './document.queries.js';
import { SearchEmbeddings } from './search-embeddings.js';
import { SearchController } from './search.controller.js';
import { SearchService } from './search.service.js';
import { WorkspaceKeyAccess } from './workspace-key-access.js';

/** `contents.fetch` and `search.query`: the **key** routes (API key + X-Workspace-ID). */
@Module({
  controllers: [ContentsController, SearchController],
  providers: [WorkspaceKeyAccess, ApiStoreQueries, ApiDocumentQueries, SearchEmbeddings, SearchService],
})
export class SearchModule {}
