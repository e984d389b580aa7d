import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, apiKeyDecider, apiKeyStreamId, type ApiKeyCommand, type ApiKeyCreated, type ApiKeyEvent } from '#domain';
import { handleCommand, type CommandContext, type CommandResult } from '#event-store';
import type { Principal } from '#integrations';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import { badRequest } from '../common/api-error.js';
import { CommandId } from '../common/command-context.js';
import { ConsistentQuery } from '../consistency/consistent-query.dto.js';
import { ReadsFrom } from '../consistency/consistent-read.interceptor.js';
import { Quotas } from '../quotas/quotas.service.js';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { newApiKeyMaterial, type ApiKeyMaterial } from './api-key-secret.js';
import { registerKeyOwner } from './api-key-owner.js';
import { requireSessionPrincipal } from './api-key.authenticator.js';
import { ApiKeyQueries } from './api-key.queries.js';
import { CreateApiKeyBody, RotateApiKeyBody, type CreatedApiKey } from './api-keys.dto.js';

/**
 * `account.apiKeys.*`. Every command goes to the caller's own key stream, so a key of another user
 * is simply not there: a 404, with no ownership query.
 */
@Controller('v1/me/api-keys')
export class ApiKeysController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly queries: ApiKeyQueries,
    private readonly quotas: Quotas,
  ) {}

  @Get()
  @ReadsFrom('api_keys')
  async list(@CurrentPrincipal() principal: Principal, @Query() _query: ConsistentQuery) {
    return this.queries.list(requireSessionPrincipal(principal).userId);
  }

  @Post()
  @HttpCode(201)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyBody, @CommandId() context: CommandContext): Promise<CreatedApiKey> {
    const { userId } = requireSessionPrincipal(principal);
    // Rotation is not checked: it revokes a key as it creates one.
    await this.quotas.requireApiKeyQuota(userId, context.commandId);
    const material = newApiKeyMaterial();
    const result = await this.send(
      userId,
      {
        type: 'CreateApiKey',
        data: { userId, keyId: randomUUID(), name: body.name, keyHash: material.hash, keyPreview: material.preview, expiresAt: instant(body.expiresAt), at: new Date().toISOString() },
      },
      context,
    );
    return this.shown(userId, result, material);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @CommandId() context: CommandContext) {
    const { userId } = requireSessionPrincipal(principal);
    const result = await this.send(userId, { type: 'RevokeApiKey', data: { userId, keyId: id, at: new Date().toISOString() } }, context);
    return { success: true, position: result.position };
  }

  @Delete(':id')
  @HttpCode(200)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @CommandId() context: CommandContext) {
    const { userId } = requireSessionPrincipal(principal);
    const result = await this.send(userId, { type: 'DeleteApiKey', data: { userId, keyId: id, at: new Date().toISOString() } }, context);
    return { success: true, position: result.position };
  }

  /** Revokes the key and creates its replacement in one append: never both active, never neither. */
  @Post(':id/rotate')
  @HttpCode(201)
  async rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    // Empty without a body (a body must be JSON, see requireJsonBodies): the new key keeps the old name and expiry.
    @Body() body: RotateApiKeyBody,
    @CommandId() context: CommandContext,
  ): Promise<CreatedApiKey & { revokedKeyId: string }> {
    const { userId } = requireSessionPrincipal(principal);
    const { name, expiresAt }: RotateApiKeyBody = body ?? {};
    const material = newApiKeyMaterial();
    const result = await this.send(
      userId,
      {
        type: 'RotateApiKey',
        data: {
          userId,
          keyId: id,
          newKeyId: randomUUID(),
          newKeyHash: material.hash,
          newKeyPreview: material.preview,
          ...(name == null ? {} : { name }),
          ...(expiresAt === undefined ? {} : { expiresAt: instant(expiresAt) }),
          at: new Date().toISOString(),
        },
      },
      context,
    );
    return { ...(await this.shown(userId, result, material)), revokedKeyId: id };
  }

  /**
   * The response that shows a new secret, after its hash's owner is recorded: the caller cannot use
   * a key before this answer, and from then on every process finds the key without the read model.
   * A refused command or a replayed one (whose stored key is not this material) records nothing.
   */
  private async shown(userId: string, result: CommandResult<ApiKeyEvent>, material: ApiKeyMaterial): Promise<CreatedApiKey> {
    const view = createdView(result, material);
    if (view.key !== null) await registerKeyOwner(this.runtime.store, material.hash, userId, view.id);
    return view;
  }

  private async send(userId: string, command: ApiKeyCommand, context: CommandContext): Promise<CommandResult<ApiKeyEvent>> {
    try {
      return await handleCommand(this.runtime.store, apiKeyStreamId(userId), apiKeyDecider, command, context);
    } catch (error) {
      // A rule the DTO also checks can still be hit in a race (an expiry that passed in between):
      // answer it in the same shape as a DTO error, naming the field.
      const field = error instanceof DomainError && error.code === 'invalid' ? error.details?.field : undefined;
      if (typeof field === 'string') throw badRequest(field, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }
}

/** Stored in one canonical form (`toISOString`), whatever zone or precision the caller wrote. */
const instant = (value: string | null | undefined): string | null => (value == null ? null : new Date(value).toISOString());

/**
 * A retried request (same `Idempotency-Key`) is answered from the stored events, which hold only the
 * hash: the secret is shown once, so the retry gets `key: null` and the caller rotates the key if
 * the first response was lost.
 */
function createdView(result: CommandResult<ApiKeyEvent>, material: ApiKeyMaterial): CreatedApiKey {
  const created = result.events.find((e): e is ApiKeyCreated => e.type === 'ApiKeyCreated')!;
  const d = created.data;
  return {
    id: d.keyId,
    name: d.name,
    key: d.keyHash === material.hash ? material.secret : null,
    keyPreview: d.keyPreview,
    expiresAt: d.expiresAt,
    createdAt: d.createdAt,
    position: result.position,
  };
}
