import { CONFIG, type ConsoleConfig } from '#runtime';
import { Controller, HttpCode, HttpStatus, Inject, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import { verifyWebhook } from '@clerk/backend/webhooks';
import type { Request } from 'express';
import type { Position } from '#event-store';
import type { FactContext } from '#application';
import { membershipFromClerkJson, organizationFromClerkJson, type ClerkMembershipJson, type ClerkOrganizationJson } from '#adapters';
import { Public } from '../auth/auth.guard.js';
import { ApiError } from '../common/api-error.js';
import { MembershipResolver } from './membership-resolver.js';
import { RecordClerkMembershipCommand } from './record-clerk-membership.handler.js';
import { RecordClerkOrganizationCommand } from './record-clerk-organization.handler.js';
import { RemoveClerkMembershipCommand } from './remove-clerk-membership.handler.js';

const SIGNATURE_HEADERS = ['svix-id', 'svix-timestamp', 'svix-signature'] as const;
const HANDLED = new Set([
  'organization.created',
  'organization.updated',
  'organizationMembership.created',
  'organizationMembership.updated',
  'organizationMembership.deleted',
]);

const unauthenticated = (message: string) => new ApiError(HttpStatus.UNAUTHORIZED, 'unauthenticated', message);
const invalidPayload = (message: string) => new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', `Webhook payload: ${message}`);

/**
 * Clerk's webhooks (delivered by Svix) feed the organization and membership streams, so the
 * membership read model knows what Clerk knows without being asked. The signature is verified by
 * `@clerk/backend/webhooks` (Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, constant-time
 * comparison, 5-minute timestamp tolerance) over the raw body, before anything is parsed or
 * appended. Every command a delivery produces takes its id from `svix-id`, so a redelivery (Svix
 * retries until it gets a 2xx) replays instead of appending.
 */
@ApiTags('Webhooks')
@Controller('v1/webhooks/clerk')
export class ClerkWebhooksController {
  constructor(
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    private readonly commands: CommandBus,
    private readonly memberships: MembershipResolver,
  ) {}

  @ApiOperation({ summary: 'Clerk webhook (Svix-signed)' })
  @ApiResponse({ status: 200, description: 'Received (also a redelivery, answered without acting again).' })
  @ApiResponse({ status: 401, description: 'The signature does not verify (or is missing, or too old).' })
  @Post()
  @Public()
  @HttpCode(200)
  async receive(
    @Req() request: RawBodyRequest<Request>,
  ): Promise<{ received: true; type: string; handled: boolean; position: Position | null }> {
    const secret = this.config.clerkWebhookSecret;
    if (!secret)
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'not_configured', 'Clerk webhooks are not configured (set CLERK_WEBHOOK_SECRET)');
    const missing = SIGNATURE_HEADERS.filter((name) => typeof request.headers[name] !== 'string' || request.headers[name] === '');
    if (missing.length > 0) throw unauthenticated(`Missing webhook signature headers: ${missing.join(', ')}`);
    // Set by our JSON parser (common/body-parsers.ts); absent for any other content type.
    if (!request.rawBody) throw invalidPayload('expected a JSON body (content-type: application/json)');

    let event: { type: string; data: unknown; timestamp?: number };
    try {
      event = await verifyWebhook(
        new Request('http://webhook.local/', {
          method: 'POST',
          headers: Object.fromEntries(SIGNATURE_HEADERS.map((name) => [name, request.headers[name] as string])),
          body: new Uint8Array(request.rawBody),
        }),
        { signingSecret: secret },
      );
    } catch {
      throw unauthenticated('The webhook signature is invalid or its timestamp is outside the tolerance');
    }

    const svixId = request.headers['svix-id'] as string;
    if (!HANDLED.has(event.type)) return { received: true, type: event.type, handled: false, position: null };
    const fact: FactContext = { commandId: `clerk-webhook:${svixId}`, source: 'clerk', at: eventTime(event) };
    return { received: true, type: event.type, handled: true, position: await this.apply(event.type, event.data, fact) };
  }

  private async apply(type: string, data: unknown, fact: FactContext): Promise<Position | null> {
    if (type === 'organization.created' || type === 'organization.updated') {
      return (
        await this.commands.execute(
          new RecordClerkOrganizationCommand(organizationFromClerkJson(organizationJson(data)), type === 'organization.updated', fact),
        )
      ).position;
    }
    const membership = membershipFromClerkJson(membershipJson(data));
    // This process's cached answer about the user is now out of date.
    this.memberships.forget(membership.userId);
    if (type === 'organizationMembership.deleted')
      return (
        (await this.commands.execute(new RemoveClerkMembershipCommand(membership.organization.id, membership.userId, fact)))?.position ??
        null
      );
    return (await this.commands.execute(new RecordClerkMembershipCommand(membership, fact))).position;
  }
}

/** Clerk's event time (the same on every redelivery), not Svix's delivery time. */
function eventTime(event: { timestamp?: number; data: unknown }): string {
  const updated = (event.data as { updated_at?: unknown } | null)?.updated_at;
  const millis = typeof event.timestamp === 'number' ? event.timestamp : typeof updated === 'number' ? updated : Date.now();
  return new Date(millis).toISOString();
}

function organizationJson(data: unknown, path = 'data'): ClerkOrganizationJson {
  const o = data as Partial<ClerkOrganizationJson> | null;
  if (!o || typeof o !== 'object') throw invalidPayload(`${path} must be an organization`);
  for (const field of ['id', 'slug', 'name'] as const)
    if (typeof o[field] !== 'string' || o[field] === '') throw invalidPayload(`${path}.${field} must be a non-empty string`);
  if (typeof o.created_at !== 'number') throw invalidPayload(`${path}.created_at must be a number`);
  return o as ClerkOrganizationJson;
}

function membershipJson(data: unknown): ClerkMembershipJson {
  const m = data as Partial<ClerkMembershipJson> | null;
  if (!m || typeof m !== 'object') throw invalidPayload('data must be an organization membership');
  if (typeof m.role !== 'string') throw invalidPayload('data.role must be a string');
  organizationJson(m.organization, 'data.organization');
  if (typeof m.public_user_data?.user_id !== 'string' || m.public_user_data.user_id === '')
    throw invalidPayload('data.public_user_data.user_id must be a non-empty string');
  return m as ClerkMembershipJson;
}
