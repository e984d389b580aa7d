import { Body, Controller, Get, HttpStatus, Param, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { storeSlugErrors } from '#domain';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { badRequest, notFound } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { StoreQueries, storeViewFromEvent } from '#read-models';
import { WorkspaceLookup } from '../workspaces/workspace-lookup.js';
import { EnsureStoreBody } from './document-stores.dto.js';
import { EnsureStoreCommand } from './ensure-store.handler.js';

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
@ApiTags('Stores')
@Controller('v1/orgs/:org/workspaces/:ws/stores')
export class StoresController {
  constructor(
    private readonly commands: CommandBus,
    private readonly access: OrgAccess,
    private readonly workspaces: WorkspaceLookup,
    private readonly stores: StoreQueries,
  ) {}

  @ApiOperation({ summary: 'List stores (stores.listByWorkspace)' })
  @Get()
  @ReadsFrom('workspaces', 'stores')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() _query: ConsistentQuery,
  ) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    const workspace = await this.workspaces.byName(organizationId, ws);
    return this.stores.list(workspace.id);
  }

  @ApiOperation({ summary: 'Get a store (stores.getByName)' })
  @Get(':slug')
  @ReadsFrom('workspaces', 'stores')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Param('slug') slug: string,
    @Query() _query: ConsistentQuery,
  ) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    requireValidSlug(slug);
    const workspace = await this.workspaces.byName(organizationId, ws);
    const store = await this.stores.get(workspace.id, slug);
    if (!store) throw notFound(`Store "${slug}"`);
    return store;
  }

  /** 201 `{store, created: true, position}` when created, 200 `{store, created: false}` when it existed. */
  @ApiOperation({ summary: 'Get or create a store (stores.getOrCreate)' })
  @ApiResponse({ status: 201, description: 'Created: `{store, created: true, position}`.' })
  @ApiResponse({ status: 200, description: 'It existed: `{store, created: false}`.' })
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
    const ensured = await this.commands.execute(new EnsureStoreCommand(organizationId, ws, slug, body?.embeddingDim, context));
    if (ensured.created) {
      response.status(HttpStatus.CREATED);
      return { store: storeViewFromEvent(ensured.store), created: true, position: ensured.position };
    }
    response.status(HttpStatus.OK);
    // It existed: the read model adds its counts once projected; until then the stream describes it.
    return { store: (await this.stores.get(ensured.workspaceId, slug)) ?? storeViewFromEvent(ensured.store), created: false };
  }
}
