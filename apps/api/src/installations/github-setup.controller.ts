import { CONFIG, TOKEN_CIPHER, type ConsoleConfig, type Cipher } from '#runtime';
import { Controller, Get, HttpStatus, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { v5 as uuidv5 } from 'uuid';
import { SignedState, SignedStateError, type Principal } from '#adapters';
import { CurrentPrincipal, Public } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { requireSessionPrincipal } from '../api-keys/api-key.authenticator.js';
import { ApiError } from '../common/api-error.js';
import { InstallationBindings } from './installation-bindings.js';
import { GITHUB_ID } from './installations.dto.js';

const SETUP_NAMESPACE = '9b6f3c1e-42d8-4a7e-b1c5-7e0d2f8a6c93';

/** The setup `state` names the organization and the member who started the installation. */
const subjectOf = (organizationId: string, userId: string) => JSON.stringify([organizationId, userId]);
function parseSubject(subject: string): { organizationId: string; userId: string } {
  const parsed: unknown = JSON.parse(subject);
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string')) throw new SignedStateError('invalid_state');
  return { organizationId: parsed[0] as string, userId: parsed[1] as string };
}

const single = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 && value.length <= 4000 ? value : undefined);

/**
 * The GitHub App installation flow (the original's `/github/install` and `/github/setup`).
 * `install` sends a member to GitHub's install page with a signed state naming the organization;
 * GitHub sends the browser back to `setup` with `installation_id`, a parameter anyone can forge.
 * So `setup` trusts it only when the installing member's own GitHub token lists the installation
 * (GitHub's advice for setup URLs); then the organization owns it (`GitHubInstallationBound`,
 * via `app_setup`). A member who has not connected GitHub yet is asked to (`github_reconnect_required`
 * reasons aside, the answer is `installation_not_verified`).
 */
@Controller('v1/github')
export class GitHubSetupController {
  constructor(
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    @Inject(TOKEN_CIPHER) private readonly cipher: Cipher,
    private readonly access: OrgAccess,
    private readonly bindings: InstallationBindings,
  ) {}

  /** `{url}` of GitHub's install page for the App; the SPA navigates there. */
  @Get('install')
  async install(@CurrentPrincipal() principal: Principal, @Query('org') org: unknown) {
    const slug = single(org);
    if (!slug) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', 'org: the organization slug to install the GitHub App for is required', { fields: [{ field: 'org', messages: ['required'] }] });
    const { organizationId, userId } = await this.access.requireOrg(requireSessionPrincipal(principal), slug);
    const appSlug = this.config.githubAppSlug;
    if (!appSlug) throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'github_not_configured', 'GITHUB_APP_SLUG is not set: the GitHub App install page is unknown');
    const url = new URL(`/apps/${encodeURIComponent(appSlug)}/installations/new`, this.config.githubOAuth?.webUrl ?? 'https://github.com');
    url.searchParams.set('state', this.state().sign(subjectOf(organizationId, userId)));
    return { url: url.toString() };
  }

  @Get('setup')
  @Public()
  async setup(@Query('installation_id') installationId: unknown, @Query('setup_action') action: unknown, @Query('state') state: unknown, @Res() response: Response): Promise<void> {
    const returnUrl = this.config.githubOAuth?.returnUrl;
    try {
      const outcome = await this.complete(single(installationId), single(state));
      if (returnUrl) return response.redirect(302, withParams(returnUrl, { github: 'installed', installationId: outcome.installationId }));
      response.status(outcome.created ? 201 : 200).json({ ...outcome, setupAction: single(action) ?? null });
    } catch (error) {
      const failure = failureOf(error);
      if (!failure) throw error;
      if (returnUrl) return response.redirect(302, withParams(returnUrl, { github_error: failure.code }));
      response.status(failure.status).json({ error: { code: failure.code, message: failure.message } });
    }
  }

  private async complete(installationId: string | undefined, state: string | undefined) {
    const { userId, nonce } = this.state().verify(state);
    const { organizationId } = parseSubject(userId);
    const member = parseSubject(userId).userId;
    if (!installationId || !GITHUB_ID.test(installationId)) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', 'installation_id: GitHub sent no installation id');
    // Still a member now (the state may be minutes old): the same check every org route makes.
    const principal: Principal = { userId: member, organizationId: null, organizationSlug: null, role: null };
    await this.access.requireOrgById(principal, organizationId);
    const commandId = uuidv5(`github-setup:${nonce}:${installationId}`, SETUP_NAMESPACE);
    const outcome = await this.bindings.bindOnUserToken(organizationId, member, installationId, 'app_setup', { commandId, userId: member }).catch((error: unknown) => {
      if (error instanceof ApiError && error.getStatus() === 404) {
        throw new ApiError(HttpStatus.FORBIDDEN, 'installation_not_verified', 'Your GitHub account does not list this installation; connect GitHub (GET /v1/github/auth) and try again');
      }
      throw error;
    });
    return { installed: true, organizationId, installationId, accountLogin: outcome.binding.accountLogin, created: outcome.created, position: outcome.position };
  }

  private state(): SignedState {
    return new SignedState(this.cipher.deriveKey('github-app-setup-state'));
  }
}

function failureOf(error: unknown): { status: number; code: string; message: string } | null {
  if (error instanceof SignedStateError) return { status: HttpStatus.BAD_REQUEST, code: error.reason, message: error.message };
  if (error instanceof SyntaxError) return { status: HttpStatus.BAD_REQUEST, code: 'invalid_state', message: 'The state is not one this server issued' };
  if (error instanceof ApiError) {
    const body = error.getResponse() as { error: { code: string; message: string } };
    return { status: error.getStatus(), code: body.error.code, message: body.error.message };
  }
  return null;
}

function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
