import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';
import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import type { Principal } from '#adapters';
import type { CommandContext } from '#event-store';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { InstallationBindings } from './installation-bindings.js';
import { BindInstallationBody } from './installations.dto.js';

interface InstallationRow {
  installation_id: string;
  account_login: string;
  account_type: string;
  via: string;
  bound_by: string;
  bound_at: Date;
}

/**
 * The GitHub App installations an organization owns. A member binds one their own GitHub token
 * lists (`POST`); the App's setup callback binds the one just installed (`GET /v1/github/setup`).
 */
@Controller('v1/orgs/:org/github/installations')
export class InstallationsController {
  constructor(
    @Inject(READ_DATABASE) private readonly database: DataSource,
    private readonly access: OrgAccess,
    private readonly bindings: InstallationBindings,
  ) {}

  @Get()
  @ReadsFrom('github_installations')
  async list(@CurrentPrincipal() principal: Principal, @Param('org') org: string, @Query() _query: ConsistentQuery) {
    const { organizationId } = await this.access.requireOrg(principal, org);
    const rows: InstallationRow[] = await this.database.query(
      `SELECT installation_id, account_login, account_type, via, bound_by, bound_at FROM github_installations
        WHERE organization_id = $1 AND is_active ORDER BY bound_at, installation_id`,
      [organizationId],
    );
    return rows.map((r) => ({ installationId: r.installation_id, accountLogin: r.account_login, accountType: r.account_type, via: r.via, boundBy: r.bound_by, boundAt: r.bound_at.toISOString() }));
  }

  /** 201 when bound now, 200 when the organization already owned it; 404 when the caller's GitHub token does not list it. */
  @Post()
  async bind(
    @CurrentPrincipal() principal: Principal,
    @Param('org') org: string,
    @Body() body: BindInstallationBody,
    @CommandId() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { organizationId, userId } = await this.access.requireOrg(principal, org);
    const outcome = await this.bindings.bindOnUserToken(organizationId, userId, body.installationId, 'member_token', context);
    response.status(outcome.created ? HttpStatus.CREATED : HttpStatus.OK);
    const { installationId, accountLogin, accountType, via, boundBy, boundAt } = outcome.binding;
    return { installationId, accountLogin, accountType, via, boundBy, boundAt, position: outcome.position };
  }
}
