import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { isApiKeyPrincipal } from '../api-keys/api-key.authenticator.js';
import { forbidden, notFound } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { OrganizationQueries, type DefaultWorkspaceView, type OrganizationView } from '#read-models';
import { AddMemberCommand } from './add-member.handler.js';
import { GitHubOrganizationMembership } from './github-organization-membership.js';
import { CreateOrganizationCommand } from './create-organization.handler.js';
import { RenameOrganizationCommand } from './rename-organization.handler.js';
import { AddMemberFromGitHubBody, CreateOrganizationBody, RenameOrganizationBody } from './organizations.dto.js';

/**
 * `organization.*` and `clerk.*`, plus the default-workspace resolution of `workspace.*`. Queries
 * are read-model lookups after an authorization that, for the token's active organization, is no
 * lookup at all; a member asking for an organization the read model does not know yet gets 404.
 */
@ApiTags('Organizations')
@Controller('v1')
export class OrganizationsController {
  constructor(
    private readonly access: OrgAccess,
    private readonly queries: OrganizationQueries,
    private readonly commands: CommandBus,
    private readonly github: GitHubOrganizationMembership,
  ) {}

  /** `organization.listUserOrganizations`, from the membership read model (fed by our commands and Clerk's webhooks). */
  @ApiOperation({ summary: 'Your organizations (organization.listUserOrganizations)' })
  @Get('me/organizations')
  @ReadsFrom('organizations')
  async mine(@CurrentPrincipal() principal: Principal, @Query() _query: ConsistentQuery): Promise<OrganizationView[]> {
    return this.queries.listForUser(sessionUser(principal));
  }

  /**
   * `organization.create` · `clerk.createOrGetOrganization`: 201 with a new organization (its
   * creator is its admin, its default workspace created too); 200 with the organization holding
   * the slug when the caller is its member; 409 otherwise, unless `suffixIfTaken` asks for
   * the original's retry under `<slug>-<epoch ms>`.
   */
  @ApiOperation({ summary: 'Create or get an organization (organization.create, clerk.createOrGetOrganization)' })
  @ApiResponse({ status: 201, description: 'Created.' })
  @ApiResponse({ status: 200, description: 'The slug is taken by an organization the caller is a member of: that organization.' })
  @Post('orgs')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateOrganizationBody,
    @CommandId() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const created = await this.commands.execute(
      new CreateOrganizationCommand(sessionUser(principal), body.slug, body.name ?? body.slug, context, body.suffixIfTaken ?? false),
    );
    response.status(created.created ? HttpStatus.CREATED : HttpStatus.OK);
    return {
      organizationId: created.organizationId,
      slug: created.slug,
      name: created.name,
      defaultWorkspaceId: created.defaultWorkspace.workspaceId,
      defaultWorkspaceName: created.defaultWorkspace.workspaceName,
      created: created.created,
      position: created.position,
    };
  }

  /** `organization.findByClerkOrgId`. */
  @ApiOperation({ summary: 'Get an organization by Clerk id (organization.findByClerkOrgId)' })
  @Get('orgs/by-id/:clerkOrgId')
  @ReadsFrom('organizations')
  async getById(
    @CurrentPrincipal() principal: Principal,
    @Param('clerkOrgId') id: string,
    @Query() _query: ConsistentQuery,
  ): Promise<OrganizationView> {
    const scope = await this.access.requireOrgById(principal, id);
    return (await this.queries.get(scope)) ?? notFoundOrganization(id);
  }

  /** `workspace.resolveFromClerkOrgId`. */
  @ApiOperation({ summary: 'Default workspace by Clerk organization id (workspace.resolveFromClerkOrgId)' })
  @Get('orgs/by-id/:clerkOrgId/workspaces/default')
  @ReadsFrom('organizations', 'workspaces')
  async defaultWorkspaceById(
    @CurrentPrincipal() principal: Principal,
    @Param('clerkOrgId') id: string,
    @Query() _query: ConsistentQuery,
  ): Promise<DefaultWorkspaceView> {
    const scope = await this.access.requireOrgById(principal, id);
    return (await this.queries.defaultWorkspace(scope.organizationId)) ?? notFoundDefault(id);
  }

  /** `organization.findByClerkOrgSlug` / `find`. */
  @ApiOperation({ summary: 'Get an organization (organization.findByClerkOrgSlug)' })
  @Get('orgs/:org')
  @ReadsFrom('organizations')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Query() _query: ConsistentQuery,
  ): Promise<OrganizationView> {
    const scope = await this.access.requireOrg(principal, org);
    return (await this.queries.get(scope)) ?? notFoundOrganization(org);
  }

  /** `organization.updateName` (admin). The slug never changes through Console. */
  @ApiOperation({ summary: 'Rename an organization (organization.updateName)' })
  @Patch('orgs/:org')
  async rename(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Body() body: RenameOrganizationBody,
    @CommandId() context: CommandContext,
  ) {
    const scope = await this.access.requireOrg(principal, org, { admin: true });
    const renamed = await this.commands.execute(new RenameOrganizationCommand(scope.organizationId, body.name, context));
    return { success: true, name: renamed.name, position: renamed.position };
  }

  /**
   * `clerk.addUserToOrganization` (admin): GitHub is asked, with the caller's own stored GitHub
   * token as the original used its user's token, for `githubUsername`'s membership of
   * `githubOrgSlug` (`GET /orgs/{org}/memberships/{username}`). Only an `active` membership
   * grants a role: GitHub `admin` → admin, any other role → member; an existing member gets the
   * mapped role. No active membership: 422 `github_membership_required`, nothing appended.
   */
  @ApiOperation({ summary: 'Add a member from GitHub (clerk.addUserToOrganization)' })
  @Post('orgs/:org/members/from-github')
  @HttpCode(200)
  async addFromGitHub(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Body() body: AddMemberFromGitHubBody,
    @CommandId() context: CommandContext,
  ) {
    const scope = await this.access.requireOrg(principal, org, { admin: true });
    const githubRole = await this.github.activeRole(principal.userId, body.githubOrgSlug, body.githubUsername);
    const role = githubRole === 'admin' ? 'admin' : 'member';
    const added = await this.commands.execute(new AddMemberCommand(scope.organizationId, body.userId, role, context));
    return {
      userId: body.userId,
      githubOrgSlug: body.githubOrgSlug,
      githubUsername: body.githubUsername,
      githubRole,
      role: added.role,
      position: added.position,
    };
  }

  /** `workspace.resolveFromClerkOrgSlug`: 404 until the default workspace exists; never creates it. */
  @ApiOperation({ summary: 'Default workspace (workspace.resolveFromClerkOrgSlug)' })
  @Get('orgs/:org/workspaces/default')
  @ReadsFrom('organizations', 'workspaces')
  async defaultWorkspace(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Query() _query: ConsistentQuery,
  ): Promise<DefaultWorkspaceView> {
    const scope = await this.access.requireOrg(principal, org);
    return (await this.queries.defaultWorkspace(scope.organizationId)) ?? notFoundDefault(org);
  }
}

/** Organizations are a matter of sessions, as every `{org}` route (see OrgAccess): an API key is refused. */
function sessionUser(principal: Principal): string {
  if (isApiKeyPrincipal(principal)) throw forbidden('API keys cannot act on organizations; use a session token');
  return principal.userId;
}

const notFoundOrganization = (ref: string): never => {
  throw notFound(`Organization "${ref}"`);
};
const notFoundDefault = (ref: string): never => {
  throw notFound(`Default workspace of organization "${ref}"`);
};
