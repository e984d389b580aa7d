import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { performance } from 'node:perf_hooks';
import { storeSlugErrors } from '#domain';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { badRequest, notFound } from '../common/api-error.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { RateLimit } from '../rate-limits/rate-limit.guard.js';
import { StoreQueries } from '#read-models';
import { DEFAULT_TOP_K, SearchBody } from './search.dto.js';
import { SearchService } from './search.service.js';
import { WorkspaceKeyAccess } from './workspace-key-access.js';

const STORE_LABEL = 'store:';

/** The one store a search runs in, from its `store:<slug>` label. */
function storeSlugOf(labels: readonly string[] | undefined): string {
  const slugs = [...new Set((labels ?? []).filter((l) => l.startsWith(STORE_LABEL)).map((l) => l.slice(STORE_LABEL.length)))];
  if (slugs.length === 0) throw badRequest('filters.labels', 'a "store:<slug>" label is required');
  if (slugs.length > 1) throw badRequest('filters.labels', 'a search runs in one store: give exactly one "store:<slug>" label');
  const errors = storeSlugErrors(slugs[0]);
  if (errors.length > 0) throw badRequest('filters.labels', errors.map((e) => e.replace(/^store: /, 'store slug ')).join('; '));
  return slugs[0]!;
}

/**
 * `search.query` (**key**): the store must belong to the `X-Workspace-ID` workspace (404 otherwise,
 * the original looked the slug up globally). `latency` is measured here, in milliseconds; `cache`
 * says whether the query cache answered (`bypass` when `?minPosition=` asked for a fresh read).
 */
@ApiTags('Search')
@Controller('v1')
export class SearchController {
  constructor(
    private readonly access: WorkspaceKeyAccess,
    private readonly stores: StoreQueries,
    private readonly search: SearchService,
  ) {}

  @ApiOperation({ summary: 'Search a store (search.query)' })
  @Post('search')
  @HttpCode(200)
  @RateLimit('search')
  @ReadsFrom('workspaces', 'stores', 'documents')
  async query(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Body() body: SearchBody) {
    const started = performance.now();
    const slug = storeSlugOf(body.filters?.labels);
    if (body.query.trim() === '') throw badRequest('query', 'must contain a non-space character');
    const scope = await this.access.require(principal, request);
    const store = await this.stores.get(scope.workspaceId, slug);
    if (!store) throw notFound(`Store "${slug}"`);
    // `null` counts as absent (`@IsOptional` lets it through): the defaults apply.
    const search = {
      query: body.query,
      topK: body.topK ?? DEFAULT_TOP_K,
      includeHighlights: body.includeHighlights ?? true,
      semantic: body.semantic ?? false,
    };
    const ranked = await this.search.search(store, search, { fresh: request.query?.minPosition !== undefined });
    return {
      results: ranked.results,
      requestId: request.headers['x-request-id'],
      ranking: ranked.ranking,
      ...(ranked.semantic ? { semantic: ranked.semantic } : {}),
      latency: {
        total: Math.round((performance.now() - started) * 10) / 10,
        ...(ranked.cache === 'hit' ? { retrieval: 0 } : ranked.latency),
        cache: ranked.cache,
      },
    };
  }
}
