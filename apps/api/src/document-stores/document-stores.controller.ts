import { EVENT_STORE } from '#runtime';
import type { EventStore } from '#event-store';
import { Body, Controller, Get, HttpStatus, Inject, Param, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  DEFAULT_STORE_SETTINGS,
  findWorkspaceByName,
  storeDecider,
  storeIdFor,
  storeSlugErrors,
  storeStreamId,
  workspaceDecider,
  workspaceDirectoryStreamId,
} from '#domain';
import { handleCommand, type CommandContext, aggregateStream } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { badRequest, notFound } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { WorkspaceQueries } from '../workspaces/workspace.queries.js';
import { ApiStoreQueries } from './document-store.queries.js';
import { EnsureStoreBody, storeViewFromEvent } from './document-stores.dto.js';

/** The domain's messages name the lightfast.yml key (`store: …`); this route's field is `slug`. */
function requireValidSlug(slug: string): void {
  const errors = storeSlugErrors(slug);
  if (errors.length > 0) throw badRequest('slug', errors.map((e) => e.replace(/^store: /, '')).join('; '));
}

/**
 * `stores.*` of the original, under the workspace that owns them. Get-or-create is decided on the
 * store's own stream (`store-<workspaceId>_<slug>`), so two concurrent PUTs create it once; the
 * reads come from the `stores` read model and accept `?minPosition=`.
 */
@Controller('v1/orgs/:org/workspaces/:ws/stores')
export class StoresController {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly access: OrgAccess,
    private readonly workspaces: WorkspaceQueries,
    private readonly stores: ApiStoreQueries,
  ) {}

  @Get()
  @ReadsFrom('workspaces', 'stores')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Query() _query: ConsistentQuery) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    const workspace = await this.workspaces.byName(organizationId, ws);
    return this.stores.list(workspace.id);
  }

  @Get(':slug')
  @ReadsFrom('workspaces', 'stores')
  async get(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Param('ws') ws: string, @Param('slug') slug: string, @Query() _query: ConsistentQuery) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    requireValidSlug(slug);
    const workspace = await this.workspaces.byName(organizationId, ws);
    const store = await this.stores.get(workspace.id, slug);
    if (!store) throw notFound(`Store "${slug}"`);
    return store;
  }

  /** 201 `{store, created: true, position}` when created, 200 `{store, created: false}` when it existed. */
  @Put(':slug')
  async ensure(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Param('slug') slug: string,
    @Body() body: EnsureStoreBody,
    @CommandId() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    requireValidSlug(slug);
    // The directory stream, not the read model: a workspace created a moment ago is found.
    const directory = (await aggregateStream(this.eventStore, workspaceDirectoryStreamId(organizationId), workspaceDecider)).state;
    const workspaceId = findWorkspaceByName(directory, ws);
    if (!workspaceId) throw notFound(`Workspace "${ws}"`);

    const streamId = storeStreamId(storeIdFor(workspaceId, slug));
    // `null` counts as absent, as `@IsOptional` lets it through.
    const settings = { ...DEFAULT_STORE_SETTINGS, ...(body?.embeddingDim == null ? {} : { embeddingDim: body.embeddingDim }) };
    const result = await handleCommand(
      this.eventStore,
      streamId,
      storeDecider,
      { type: 'EnsureStore', data: { organizationId, workspaceId, slug, settings, at: new Date().toISOString() } },
      context,
    );
    const created = result.events.find((e) => e.type === 'StoreCreated');
    if (created) {
      response.status(HttpStatus.CREATED);
      return { store: storeViewFromEvent(created.data), created: true, position: result.position };
    }
    response.status(HttpStatus.OK);
    // It existed: the read model adds its counts once projected; until then the stream describes it.
    const existing = await this.stores.get(workspaceId, slug);
    if (existing) return { store: existing, created: false };
    const state = (await aggregateStream(this.eventStore, streamId, storeDecider)).state;
    if (state.status !== 'created') throw notFound(`Store "${slug}"`);
    return { store: storeViewFromEvent(state.store), created: false };
  }
}
