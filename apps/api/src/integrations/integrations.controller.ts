import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { requireSessionPrincipal } from '../api-keys/api-key.authenticator.js';
import { badRequest } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { CreateResourcesCommand } from './create-resources.handler.js';
import { DisconnectIntegrationCommand } from './disconnect-integration.handler.js';
import { IntegrationQueries } from '#read-models';
import { CreateResourcesBody } from './integrations.dto.js';
import { jsonOrNull } from './json-null.js';
import { ValidateGitHubInstallationsCommand } from './validate-github-installations.handler.js';

/**
 * `account.integrations.*` and `integration.github.*` / `integration.resources.*`: the caller's own
 * integrations. Commands go to the caller's integration stream, so another user's integration or
 * resource is simply not found there (404), without an ownership query. API keys are refused:
 * a leaked key must not connect, disconnect or read a user's GitHub access.
 */
@ApiTags('Integrations')
@Controller('v1/me/integrations')
export class IntegrationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: IntegrationQueries,
  ) {}

  @ApiOperation({ summary: 'List your integrations (account.integrations.list)' })
  @Get()
  @ReadsFrom('integrations')
  async list(@CurrentPrincipal() principal: Principal, @Query() _query: ConsistentQuery) {
    return this.queries.list(requireSessionPrincipal(principal).userId);
  }

  /** The user's GitHub integration with its installations, or JSON `null` when there is none. */
  @ApiOperation({ summary: 'Your GitHub integration (integration.github.list)' })
  @Get('github')
  @ReadsFrom('integrations')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async github(@CurrentPrincipal() principal: Principal, @Query() _query: ConsistentQuery) {
    return jsonOrNull(await this.queries.github(requireSessionPrincipal(principal).userId));
  }

  @ApiOperation({ summary: 'Re-check your GitHub installations (integration.github.validate)' })
  @Post('github/validate')
  @HttpCode(200)
  async validate(@CurrentPrincipal() principal: Principal, @CommandId() context: CommandContext) {
    return this.commands.execute(new ValidateGitHubInstallationsCommand(requireSessionPrincipal(principal).userId, context));
  }

  @ApiOperation({ summary: 'Disconnect an integration (account.integrations.disconnect)' })
  @Delete(':id')
  @HttpCode(200)
  async disconnect(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @CommandId() context: CommandContext) {
    const { position } = await this.commands.execute(
      new DisconnectIntegrationCommand(requireSessionPrincipal(principal).userId, id, context),
    );
    return { success: true, position };
  }

  @ApiOperation({ summary: "List an integration's resources (integration.resources.list)" })
  @Get(':id/resources')
  @ReadsFrom('integrations')
  async resources(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() _query: ConsistentQuery) {
    return this.queries.resources(requireSessionPrincipal(principal).userId, id);
  }

  @ApiOperation({ summary: 'Add resources to an integration (integration.resources.create)' })
  @Post(':id/resources')
  @HttpCode(201)
  async createResources(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: CreateResourcesBody,
    @CommandId() context: CommandContext,
  ) {
    const { userId } = requireSessionPrincipal(principal);
    // A request that contradicts itself is bad input, whatever GitHub says afterwards.
    body.resources.forEach((r, i) => {
      if (r.repoFullName.split('/')[1] !== r.repoName)
        throw badRequest(`resources.${i}.repoName`, 'repoName must be the name part of repoFullName');
    });
    return this.commands.execute(new CreateResourcesCommand(userId, id, body.resources, context));
  }
}
