import { CONFIG, EVENT_STORE, type ConsoleConfig } from '#runtime';
import type { EventStore } from '#event-store';
import { Controller, HttpCode, HttpStatus, Inject, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { Webhooks } from '@octokit/webhooks';
import type { Request } from 'express';
import { fold, gitHubDeliveryDecider, gitHubDeliveryStreamId, type GitHubDeliveryEvent } from '#domain';
import { handleCommand, type Position } from '#event-store';
import { Public } from '../auth/auth.guard.js';
import { ApiError, badRequest } from '../common/api-error.js';
import { deliveryContext, type DeliveryOutcome, type GitHubDelivery } from './github-delivery.js';
import { GitHubPushHandler } from './github-push.handler.js';
import { GitHubRepositoryEventsHandler } from './github-repository-events.handler.js';
import type { Payload } from './github-webhook-payload.js';

const DELIVERY_ID = /^[A-Za-z0-9._-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,100}$/;

export type GitHubWebhookAnswer =
  | { readonly received: true; readonly deliveryId: string; readonly duplicate: true; readonly position: Position }
  | { readonly received: true; readonly deliveryId: string; readonly ignored: string }
  | { readonly received: true; readonly deliveryId: string; readonly event: string; readonly action: string | null; readonly position: Position; readonly [detail: string]: unknown };

/**
 * GitHub App webhooks (original §6.1). The HMAC-SHA256 signature (`x-hub-signature-256`) is checked
 * by `@octokit/webhooks` (constant-time) over the raw body before anything else is read. Without
 * `GITHUB_WEBHOOK_SECRET` the route answers 503: an unverifiable delivery must not move state.
 * The endpoint must be configured with content type `application/json`.
 *
 * Order within a delivery: act first, record the delivery (`GitHubDeliveryReceived` on
 * `github-delivery-<id>`) last. A delivery already recorded is answered as a duplicate and appends
 * nothing. If the process dies between acting and recording, GitHub's redelivery (same id) acts
 * again, and every command it sends derives its id from the delivery, so the repeat replays what
 * was stored instead of appending, then the delivery is recorded. Recording first would instead
 * turn that redelivery into a "duplicate" whose actions never happened.
 */
@Controller('v1/webhooks/github')
export class GitHubWebhooksController {
  private verifier: { readonly secret: string; readonly webhooks: Webhooks } | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly push: GitHubPushHandler,
    private readonly repositories: GitHubRepositoryEventsHandler,
  ) {}

  @Post()
  @Public()
  @HttpCode(200)
  async receive(@Req() request: RawBodyRequest<Request>): Promise<GitHubWebhookAnswer> {
    const secret = this.config.githubWebhookSecret;
    if (!secret) throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'not_configured', 'GitHub webhooks are not configured (set GITHUB_WEBHOOK_SECRET): deliveries cannot be verified');
    // Set by our JSON parser (common/body-parsers.ts); absent for an empty body.
    if (!request.rawBody || request.rawBody.length === 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', 'Webhook payload: expected a JSON body (content-type: application/json)');
    const signature = header(request, 'x-hub-signature-256');
    if (!signature) throw unauthenticated('Missing webhook signature header: x-hub-signature-256');
    if (!(await this.verify(secret, request.rawBody, signature))) throw unauthenticated('The webhook signature (x-hub-signature-256) does not match the body');

    const event = header(request, 'x-github-event');
    const deliveryId = header(request, 'x-github-delivery');
    if (!event || !EVENT_NAME.test(event)) throw badRequest('x-github-event', 'header required: the GitHub event name (lowercase letters and underscores)');
    if (!deliveryId || !DELIVERY_ID.test(deliveryId)) throw badRequest('x-github-delivery', "header required: 1–100 letters, digits, '.', '_' or '-'");
    const payload: unknown = request.body;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw badRequest('payload', 'must be a JSON object');
    const action = typeof (payload as Payload).action === 'string' ? ((payload as Payload).action as string) : null;

    const streamId = gitHubDeliveryStreamId(deliveryId);
    const recorded = await this.eventStore.readStream(streamId);
    if (fold(gitHubDeliveryDecider, recorded as unknown as GitHubDeliveryEvent[]).received) return { received: true, deliveryId, duplicate: true, position: recorded.at(-1)!.position };

    const delivery: GitHubDelivery = { deliveryId, event, action, payload: payload as Payload, at: new Date().toISOString() };
    const outcome = await this.dispatch(delivery);
    if ('ignored' in outcome) return { received: true, deliveryId, ignored: outcome.ignored };
    // Appended after every action, so its position is at or past theirs: `?minPosition=` on it sees them all.
    const result = await handleCommand(
      this.eventStore,
      streamId,
      gitHubDeliveryDecider,
      { type: 'RecordGitHubDelivery', data: { deliveryId, event, action, at: delivery.at } },
      deliveryContext(delivery, 'received'),
    );
    return { received: true, deliveryId, event, action, ...outcome.handled, position: result.position! };
  }

  private dispatch(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    switch (`${delivery.event}.${delivery.action ?? ''}`) {
      case 'push.':
        return this.push.handle(delivery);
      case 'installation_repositories.removed':
        return this.repositories.repositoriesRemoved(delivery);
      case 'installation.deleted':
        return this.repositories.installationDeleted(delivery);
      case 'repository.deleted':
        return this.repositories.repositoryDeleted(delivery);
      case 'repository.renamed':
        return this.repositories.repositoryRenamed(delivery);
      default:
        return Promise.resolve({ ignored: 'unhandled_event' });
    }
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
