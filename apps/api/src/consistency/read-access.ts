import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '#adapters';
import { OrgAccess } from '../auth/org-access.js';
import { InputGuardPipe } from '../common/input-guard.pipe.js';
import { WorkspaceKeyAccess } from '../search/workspace-key-access.js';

/**
 * Authorization of a `@ReadsFrom` route before `?minPosition=` holds it: the check the handler makes
 * first anyway, taken early so that an outsider gets its 403 (or 404) at once, never a wait until
 * the consistency timeout that would tell it something about another tenant's log. Decided by the
 * route's shape, one rule per kind of route:
 * - `{org}` and `by-id/{clerkOrgId}` routes: membership of that organization (`OrgAccess`);
 * - `/v1/me/…`: the caller's own data, nothing more than the token to check;
 * - any other (the **key** routes): the API key's access to the `X-Workspace-ID` workspace.
 * Admin-only checks stay in the handlers: a member may wait, an outsider may not.
 */
@Injectable()
export class ReadAccess {
  constructor(
    private readonly orgs: OrgAccess,
    private readonly workspaceKeys: WorkspaceKeyAccess,
  ) {}

  private readonly guard = new InputGuardPipe();

  async authorize(principal: Principal, request: Request): Promise<void> {
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    // Pipes run after interceptors: refuse what the handler's pipe would (a NUL byte) before it reaches a query.
    for (const [name, value] of Object.entries(params)) this.guard.transform(value, { type: 'param', data: name });
    if (params.org !== undefined) await this.orgs.requireOrg(principal, params.org);
    else if (params.clerkOrgId !== undefined) await this.orgs.requireOrgById(principal, params.clerkOrgId);
    else if (isOwnRoute(request)) return;
    else await this.workspaceKeys.require(principal, request);
  }
}

const isOwnRoute = (request: Request): boolean => /^\/v1\/me(\/|$)/.test(request.path);
