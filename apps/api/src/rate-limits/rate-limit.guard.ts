import { Injectable, SetMetadata, UseGuards, applyDecorators, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isApiKeyPrincipal } from '../api-keys/api-key.authenticator.js';
import type { AuthenticatedRequest } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { RATE_LIMITS, type RateLimitName } from '#runtime';
import { RateLimits } from './rate-limits.service.js';
import { InputGuardPipe } from '../common/input-guard.pipe.js';

export const RATE_LIMIT = 'console:rate-limit';

/**
 * One line on a route: `@RateLimit('search')` counts each request against that limit, per API key
 * or per organization as `RATE_LIMITS` says. Runs after the global AuthGuard, so the principal is
 * known; per organization, the caller must first pass the same membership check as the route, so
 * an outsider's requests never spend another organization's allowance.
 */
export const RateLimit = (name: RateLimitName) => applyDecorators(SetMetadata(RATE_LIMIT, name), UseGuards(RateLimitGuard));

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
    private readonly access: OrgAccess,
  ) {}

  private readonly inputGuard = new InputGuardPipe();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.get<RateLimitName | undefined>(RATE_LIMIT, context.getHandler());
    if (!name) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.principal;
    if (!principal) return true; // a public route: nothing to count by
    switch (RATE_LIMITS[name].per) {
      case 'apiKey':
        // A session on a key route is refused by the route (403); there is no key to count.
        if (isApiKeyPrincipal(principal)) await this.limits.hit(name, principal.apiKeyId);
        return true;
      case 'organization': {
        const slug = request.params?.org;
        if (typeof slug !== 'string') throw new Error(`@RateLimit('${name}') counts per organization and needs an :org route parameter`);
        // Guards run before pipes: refuse what the route's pipe would (a NUL byte) before it reaches a query.
        this.inputGuard.transform(slug, { type: 'param', data: 'org' });
        const { organizationId } = await this.access.requireOrg(principal, slug);
        await this.limits.hit(name, organizationId);
        return true;
      }
      case 'address':
        throw new Error(`@RateLimit('${name}'): per-address limits are applied by the AuthGuard, not on routes`);
    }
  }
}
