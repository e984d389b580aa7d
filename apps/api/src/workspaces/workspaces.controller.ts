import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import { canonicalWorkspaceSettings, workspaceSettingsProblems, type WorkspaceSettings } from '#domain';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { ApiError, badRequest } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { RateLimit } from '../rate-limits/rate-limit.guard.js';
import { CreateWorkspaceCommand } from './create-workspace.handler.js';
import { RenameWorkspaceCommand } from './rename-workspace.handler.js';
import { WorkspaceQueries } from '#read-models';
import { WorkspaceLookup } from './workspace-lookup.js';
import { UpdateWorkspaceCommand } from './update-workspace.handler.js';
import { UpdateWorkspaceBody, WorkspaceNameBody } from './workspaces.dto.js';

/** `workspace.*` of an organization: members list, create and rename its workspaces; admins change their settings. */
@ApiTags('Workspaces')
@Controller('v1/orgs/:org/workspaces')
export class WorkspacesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: WorkspaceQueries,
    private readonly access: OrgAccess,
    private readonly lookup: WorkspaceLookup,
  ) {}

  @ApiOperation({ summary: 'List workspaces (workspace.listByClerkOrgSlug)' })
  @Get()
  @ReadsFrom('workspaces', 'job_stats', 'repositories', 'stores')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Query() _query: ConsistentQuery) {
    const scope = await this.access.requireOrg(principal, org);
    return this.queries.list(scope.organizationId);
  }

  @ApiOperation({ summary: 'Create a workspace (workspace.create)' })
  @Post()
  @HttpCode(201)
  @RateLimit('workspaceCreate')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Body() body: WorkspaceNameBody,
    @CommandId() context: CommandContext,
  ) {
    const scope = await this.access.requireOrg(principal, org);
    return this.commands.execute(new CreateWorkspaceCommand(scope.organizationId, body.name, context));
  }

  @ApiOperation({ summary: 'Get a workspace (workspace.getByName)' })
  @Get(':ws')
  @ReadsFrom('workspaces')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Query() _query: ConsistentQuery,
  ) {
    const scope = await this.access.requireOrg(principal, org);
    return this.lookup.byName(scope.organizationId, ws);
  }

  /**
   * `workspace.updateName` (any member, as the original) and the workspace's `settings` (admins
   * only: they choose what the workspace indexes). Both in one body are one append.
   */
  @ApiOperation({ summary: 'Rename a workspace or change its settings (workspace.updateName)' })
  @Patch(':ws')
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Param('ws') ws: string,
    @Body() body: UpdateWorkspaceBody,
    @CommandId() context: CommandContext,
  ) {
    if (body.name === undefined && body.settings === undefined) throw badRequest('name', 'name or settings is required');
    const settings = body.settings === undefined ? undefined : parseSettings(body.settings);
    const scope = await this.access.requireOrg(principal, org, { admin: settings !== undefined });
    if (settings === undefined) {
      const { position } = await this.commands.execute(new RenameWorkspaceCommand(scope.organizationId, ws, body.name!, context));
      return { success: true, newWorkspaceName: body.name, position };
    }
    const { position } = await this.commands.execute(
      new UpdateWorkspaceCommand(scope.organizationId, ws, { name: body.name, settings }, context),
    );
    return {
      success: true,
      ...(body.name === undefined ? {} : { newWorkspaceName: body.name }),
      settings: canonicalWorkspaceSettings(settings),
      position,
    };
  }
}

/** Every offending settings field named, in the validation pipe's shape (`details.fields`). */
function parseSettings(value: Record<string, unknown>): WorkspaceSettings {
  const problems = workspaceSettingsProblems(value);
  if (problems.length === 0) return value as WorkspaceSettings;
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join(', ');
  throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', `Invalid request: ${summary}`, {
    fields: problems.map((p) => ({ field: p.field, messages: [p.message] })),
  });
}
