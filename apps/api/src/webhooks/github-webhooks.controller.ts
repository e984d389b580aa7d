import { CONFIG, type ConsoleConfig } from '#runtime';
import { Controller, HttpCode, HttpStatus, Inject, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import { Webhooks } from '@octokit/webhooks';
import type { Request } from 'express';
import { Public } from '../auth/auth.guard.js';
import { ApiError, badRequest } from '../common/api-error.js';
import { DeactivateRemovedRepositoriesCommand } from './deactivate-removed-repositories.handler.js';
import type { GitHubDelivery, GitHubDeliveryCommand, GitHubWebhookAnswer } from './github-delivery.js';
import { IngestGitHubPushCommand } from './github-push.handler.js';
import type { Payload } from './github-webhook-payload.js';
import { MarkRepositoryDeletedCommand } from './mark-repository-deleted.handler.js';
import { RenameRepositoryCommand } from './rename-repository.handler.js';
import { UnbindDeletedInstallationCommand } from './unbind-deleted-installation.handler.js';

const DELIVERY_ID = /^[A-Za-z0-9._-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,100}$/;

/**
 * GitHub App webhooks (original §6.1). The HMAC-SHA256 signature (`x-hub-signature-256`) is checked
 * by `@octokit/webhooks` (constant-time) over the raw body before anything else is read. Without
 * `GITHUB_WEBHOOK_SECRET` the route answers 503: an unverifiable delivery must not move state.
 * The endpoint must be configured with content type `application/json`.
 *
 * A verified delivery becomes one command per event it acts on; its handler acts on the delivery
 * once (`actOnce` in github-delivery.ts: a redelivery after it was recorded is a duplicate).
 */
@ApiTags('Webhooks')
@Controller('v1/webhooks/github')
export class GitHubWebhooksController {
  private verifier: { readonly secret: string; readonly webhooks: Webhooks } | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    private readonly commands: CommandBus,
  ) {}

  @ApiOperation({ summary: 'GitHub App webhook (HMAC-signed)' })
  @ApiResponse({ status: 200, description: 'Received (also a redelivery, answered without acting again).' })
  @ApiResponse({ status: 401, description: 'The signature does not verify (or is missing, or too old).' })
  @Post()
  @Public()
  @HttpCode(200)
  async receive(@Req() request: RawBodyRequest<Request>): Promise<GitHubWebhookAnswer> {
    const secret = this.config.githubWebhookSecret;
    if (!secret)
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'not_configured',
        'GitHub webhooks are not configured (set GITHUB_WEBHOOK_SECRET): deliveries cannot be verified',
      );
    // Set by our JSON parser (common/body-parsers.ts); absent for an empty body.
    if (!request.rawBody || request.rawBody.length === 0)
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        'invalid_request',
        'Webhook payload: expected a JSON body (content-type: application/json)',
      );
    const signature = header(request, 'x-hub-signature-256');
    if (!signature) throw unauthenticated('Missing webhook signature header: x-hub-signature-256');
    if (!(await this.verify(secret, request.rawBody, signature)))
      throw unauthenticated('The webhook signature (x-hub-signature-256) does not match the body');

    const event = header(request, 'x-github-event');
    const deliveryId = header(request, 'x-github-delivery');
    if (!event || !EVENT_NAME.test(event))
      throw badRequest('x-github-event', 'header required: the GitHub event name (lowercase letters and underscores)');
    if (!deliveryId || !DELIVERY_ID.test(deliveryId))
      throw badRequest('x-github-delivery', "header required: 1–100 letters, digits, '.', '_' or '-'");
    const payload: unknown = request.body;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw badRequest('payload', 'must be a JSON object');
    const action = typeof (payload as Payload).action === 'string' ? ((payload as Payload).action as string) : null;

    const delivery: GitHubDelivery = { deliveryId, event, action, payload: payload as Payload, at: new Date().toISOString() };
    const command = commandFor(delivery);
    // An event we do not act on is never recorded, so it has no duplicate to find either.
    if (!command) return { received: true, deliveryId, ignored: 'unhandled_event' };
    return this.commands.execute(command);
  }

  private async verify(secret: string, body: Buffer, signature: string): Promise<boolean> {
    if (this.verifier?.secret !== secret) this.verifier = { secret, webhooks: new Webhooks({ secret }) };
    try {
      return await this.verifier.webhooks.verify(body.toString('utf8'), signature);
    } catch {
      return false;
    }
  }
}

const unauthenticated = (message: string) => new ApiError(HttpStatus.UNAUTHORIZED, 'unauthenticated', message);

function header(request: Request, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

function commandFor(delivery: GitHubDelivery): GitHubDeliveryCommand | null {
  switch (`${delivery.event}.${delivery.action ?? ''}`) {
    case 'push.':
      return new IngestGitHubPushCommand(delivery);
    case 'installation_repositories.removed':
      return new DeactivateRemovedRepositoriesCommand(delivery);
    case 'installation.deleted':
      return new UnbindDeletedInstallationCommand(delivery);
    case 'repository.deleted':
      return new MarkRepositoryDeletedCommand(delivery);
    case 'repository.renamed':
    case 'repository.transferred':
    case 'repository.edited':
    case 'repository.privatized':
    case 'repository.publicized':
      return new RenameRepositoryCommand(delivery);
    default:
      return null;
  }
}
