import { SESSION_AUTHENTICATOR } from '#runtime';
import type { SessionAuthenticator } from '#adapters';
import { Inject, Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Principal } from '#adapters';
import { ApiError } from '../common/api-error.js';
import { ApiKeyAuthenticator, authenticateApiKeyBearer } from '../api-keys/api-key.authenticator.js';
import { clientAddressKey } from '../rate-limits/client-address.js';
import { RateLimits } from '../rate-limits/rate-limits.service.js';
import { VerifiedTokens } from './verified-tokens.js';

const PUBLIC = 'console:public';
/** Marks a route that needs no token (health, metrics, docs, signed webhooks). */
export const Public = () => SetMetadata(PUBLIC, true);

export type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route requires a verified bearer token unless marked `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly sessions: VerifiedTokens;

  constructor(
    private readonly reflector: Reflector,
    @Inject(SESSION_AUTHENTICATOR) authenticator: SessionAuthenticator,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly rateLimits: RateLimits,
  ) {
    this.sessions = new VerifiedTokens(authenticator);
  }

  /**
   * Failed authentications are counted per client address (`RATE_LIMIT_AUTH_FAILURES`); once they
   * are spent, every request from that address needing a token gets 429 before anything is
   * verified, valid tokens included: telling them apart would mean verifying, the work the limit
   * saves. A request with no Authorization header verifies nothing and is not counted.
   */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const address = clientAddressKey(request);
    await this.rateLimits.refuseIfSpent('authFailures', address);
    try {
      return await this.authenticate(request);
    } catch (error) {
      if (error instanceof ApiError && error.getStatus() === 401 && request.headers.authorization !== undefined)
        await this.rateLimits.record('authFailures', address);
      throw error;
    }
  }

  private async authenticate(request: AuthenticatedRequest): Promise<boolean> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new ApiError(401, 'unauthenticated', 'A bearer token is required (Authorization: Bearer <token>)');
    // An `lf_…` token is an API key: looked up by its hash and refused with its own reason.
    const keyPrincipal = await authenticateApiKeyBearer(match[1]!, this.apiKeys);
    if (keyPrincipal) {
      request.principal = keyPrincipal;
      return true;
    }
    try {
      request.principal = await this.sessions.verify(match[1]!);
    } catch {
      throw new ApiError(401, 'unauthenticated', 'The bearer token is invalid or expired');
    }
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new ApiError(401, 'unauthenticated', 'A bearer token is required');
  return principal;
});
