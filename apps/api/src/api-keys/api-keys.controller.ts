import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '#event-store';
import type { Principal } from '#adapters';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { requireSessionPrincipal } from './api-key.authenticator.js';
import { ApiKeyQueries } from '#read-models';
import { CreateApiKeyBody, RotateApiKeyBody, type CreatedApiKey } from './api-keys.dto.js';
import { CreateApiKeyCommand } from './create-api-key.handler.js';
import { EndApiKeyCommand } from './end-api-key.handler.js';
import { RotateApiKeyCommand } from './rotate-api-key.handler.js';

/** `account.apiKeys.*`: each route maps HTTP to one command on the caller's own key stream. */
@ApiTags('API keys')
@Controller('v1/me/api-keys')
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: ApiKeyQueries,
  ) {}

  @ApiOperation({ summary: 'List your API keys (account.apiKeys.list)' })
  @Get()
  @ReadsFrom('api_keys')
  async list(@CurrentPrincipal() principal: Principal, @Query() _query: ConsistentQuery) {
    return this.queries.list(requireSessionPrincipal(principal).userId);
  }

  @ApiOperation({ summary: 'Create an API key, its secret shown once (account.apiKeys.create)' })
  @Post()
  @HttpCode(201)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyBody,
    @CommandId() context: CommandContext,
  ): Promise<CreatedApiKey> {
    return this.commands.execute(new CreateApiKeyCommand(requireSessionPrincipal(principal).userId, body.name, body.expiresAt, context));
  }

  @ApiOperation({ summary: 'Revoke an API key (account.apiKeys.revoke)' })
  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @CommandId() context: CommandContext) {
    const { position } = await this.commands.execute(
      new EndApiKeyCommand('RevokeApiKey', requireSessionPrincipal(principal).userId, id, context),
    );
    return { success: true, position };
  }

  @ApiOperation({ summary: 'Delete an API key (account.apiKeys.delete)' })
  @Delete(':id')
  @HttpCode(200)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @CommandId() context: CommandContext) {
    const { position } = await this.commands.execute(
      new EndApiKeyCommand('DeleteApiKey', requireSessionPrincipal(principal).userId, id, context),
    );
    return { success: true, position };
  }

  @ApiOperation({ summary: 'Rotate an API key (account.apiKeys.rotate)' })
  @Post(':id/rotate')
  @HttpCode(201)
  async rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    // Empty without a body (a body must be JSON, see requireJsonBodies): the new key keeps the old name and expiry.
    @Body() body: RotateApiKeyBody,
    @CommandId() context: CommandContext,
  ): Promise<CreatedApiKey & { revokedKeyId: string }> {
    const { name, expiresAt }: RotateApiKeyBody = body ?? {};
    return this.commands.execute(new RotateApiKeyCommand(requireSessionPrincipal(principal).userId, id, name, expiresAt, context));
  }
}
