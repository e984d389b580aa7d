import { WorkspaceQueries } from '#read-models';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '#adapters';
import { isApiKeyPrincipal } from '../api-keys/api-key.authenticator.js';
import { OrgAccess } from '../auth/org-access.js';
import { ApiError, badRequest, forbidden, notFound } from '../common/api-error.js';

export interface WorkspaceKeyScope {
  readonly workspaceId: string;
  readonly organizationId: string;
  readonly userId: string;
  readonly apiKeyId: string;
}

const WORKSPACE_HEADER = 'X-Workspace-ID';
const MAX_WORKSPACE_ID_LENGTH = 191;

/**
 * The **key** routes (`/contents`, `/search`): an API key (`lf_…`) plus `X-Workspace-ID`. A key
 * belongs to a user, so the workspace's organization must count that user as a member, decided by
 * the same sources as every `{org}` route (`OrgAccess`: the membership read model, the
 * organization's stream, then Clerk). Session tokens are refused (403), as the original's
 * `apiKeyProcedure` did: a session acts through the `{org}` routes.
 *
 * An unknown workspace and a workspace of an organization the key's user is not a member of both
 * answer 404 with the same body, so a key cannot probe which workspace ids exist.
 */
@Injectable()
export class WorkspaceKeyAccess {
  constructor(
    private readonly workspaces: WorkspaceQueries,
    private readonly access: OrgAccess,
  ) {}

  async require(principal: Principal, request: Request): Promise<WorkspaceKeyScope> {
    if (!isApiKeyPrincipal(principal)) throw forbidden('This route takes an API key (Authorization: Bearer lf_…) with X-Workspace-ID');
    const workspaceId = request.headers[WORKSPACE_HEADER.toLowerCase()];
    if (typeof workspaceId !== 'string' || workspaceId.trim() === '')
      throw badRequest(WORKSPACE_HEADER, 'required header naming the workspace');
    if (workspaceId.length > MAX_WORKSPACE_ID_LENGTH) throw badRequest(WORKSPACE_HEADER, `at most ${MAX_WORKSPACE_ID_LENGTH} characters`);
    const organizationId = await this.workspaces.organizationOf(workspaceId);
    const missing = notFound('Workspace');
    if (!organizationId) throw missing;
    try {
      // The key's user without session claims: OrgAccess then looks the membership up by id.
      await this.access.requireOrgById(
        { userId: principal.userId, organizationId: null, organizationSlug: null, role: null },
        organizationId,
      );
    } catch (error) {
      if (error instanceof ApiError && error.getStatus() === HttpStatus.FORBIDDEN) throw missing;
      throw error;
    }
    return { workspaceId, organizationId, userId: principal.userId, apiKeyId: principal.apiKeyId };
  }
}
