import { Module } from '@nestjs/common';
import { ContentsController } from './contents.controller.js';
import { DocumentContentsLookup } from './document-contents.js';
import { SearchEmbeddings } from './search-embeddings.js';
import { SearchController } from './search.controller.js';
import { SearchService } from './search.service.js';
import { StoreVectors } from './store-vectors.js';
import { WorkspaceKeyAccess } from './workspace-key-access.js';

/** `contents.fetch` and `search.query`: the **key** routes (API key + X-Workspace-ID). */
@Module({
  controllers: [ContentsController, SearchController],
  providers: [WorkspaceKeyAccess, SearchEmbeddings, SearchService, StoreVectors, DocumentContentsLookup],
})
export class SearchModule {}
