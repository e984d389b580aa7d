import { CONFIG, TOKEN_CIPHER, type ConsoleConfig, type Cipher } from '#runtime';
import { Controller, Get, HttpStatus, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { SignedStateError, type Principal } from '#adapters';
import { CurrentPrincipal, Public } from '../auth/auth.guard.js';
import { OrgAccess } from '../auth/org-access.js';
import { requireSessionPrincipal } from '../api-keys/api-key.authenticator.js';
import { ApiError } from '../common/api-error.js';
import { BindSetupInstallationCommand } from './bind-setup-installation.handler.js';
import { setupState, setupSubject } from './github-setup-state.js';

const single = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= 4000 ? value : undefined;

/**
 * The GitHub App installation flow (the original's `/github/install` and `/github/setup`).
 * `install` sends a member to GitHub's install page with a signed state naming the organization;
 * GitHub sends the browser back to `setup` with `installation_id`, a parameter anyone can forge.
 * So `setup` trusts it only when the installing member's own GitHub token lists the installation
 * (GitHub's advice for setup URLs); then the organization owns it (`GitHubInstallationBound`,
 * via `app_setup`). A member who has not connected GitHub yet is asked to (`github_reconnect_required`
 * reasons aside, the answer is `installation_not_verified`).
 */
@ApiTags('GitHub')
@Controller('v1/github')
export class GitHubSetupController {
  constructor(
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    @Inject(TOKEN_CIPHER) private readonly cipher: Cipher,
    private readonly commands: CommandBus,
    private readonly access: OrgAccess,
  ) {}

  /** `{url}` of GitHub's install page for the App; the SPA navigates there. */
  @ApiOperation({ summary: 'The GitHub App install page URL' })
  @ApiQuery({ name: 'org', required: true, description: 'The organization slug to install the GitHub App for.', example: 'acme' })
  @Get('install')
  async install(@CurrentPrincipal() principal: Principal, @Query('org') org: unknown) {
    const slug = single(org);
    if (!slug)
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        'invalid_request',
        'org: the organization slug to install the GitHub App for is required',
        { fields: [{ field: 'org', messages: ['required'] }] },
      );
    const { organizationId, userId } = await this.access.requireOrg(requireSessionPrincipal(principal), slug);
    const appSlug = this.config.githubAppSlug;
    if (!appSlug)
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'github_not_configured',
        'GITHUB_APP_SLUG is not set: the GitHub App install page is unknown',
      );
    const url = new URL(`/apps/${encodeURIComponent(appSlug)}/installations/new`, this.config.githubOAuth?.webUrl ?? 'https://github.com');
    url.searchParams.set('state', setupState(this.cipher).sign(setupSubject(organizationId, userId)));
    return { url: url.toString() };
  }

  @ApiOperation({ summary: 'GitHub App setup callback' })
  @ApiQuery({
    name: 'installation_id',
    required: false,
    description: 'The installation GitHub reports (trusted only if the member’s token lists it).',
  })
  @ApiQuery({ name: 'setup_action', required: false, description: 'GitHub’s `install` or `update`.', example: 'install' })
  @ApiQuery({ name: 'state', required: false, description: 'The signed state `GET /v1/github/install` put in the URL.' })
  @ApiResponse({
    status: 302,
    description: 'With `GITHUB_OAUTH_RETURN_URL`: back to the console, `?github=installed` or `?github_error=<reason>`.',
  })
  @ApiResponse({ status: 200, description: 'Without a return URL: the binding (201 when bound now).' })
  @ApiResponse({ status: 400, description: 'A state that is missing, forged or expired.' })
  @Get('setup')
  @Public()
  async setup(
    @Query('installation_id') installationId: unknown,
    @Query('setup_action') action: unknown,
    @Query('state') state: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const returnUrl = this.config.githubOAuth?.returnUrl;
    try {
      const outcome = await this.commands.execute(new BindSetupInstallationCommand(single(installationId), single(state)));
      if (returnUrl) return response.redirect(302, withParams(returnUrl, { github: 'installed', installationId: outcome.installationId }));
      response.status(outcome.created ? 201 : 200).json({ ...outcome, setupAction: single(action) ?? null });
    } catch (error) {
      const failure = failureOf(error);
      if (!failure) throw error;
      if (returnUrl) return response.redirect(302, withParams(returnUrl, { github_error: failure.code }));
      response.status(failure.status).json({ error: { code: failure.code, message: failure.message } });
    }
  }
}

function failureOf(error: unknown): { status: number; code: string; message: string } | null {
  if (error instanceof SignedStateError) return { status: HttpStatus.BAD_REQUEST, code: error.reason, message: error.message };
  if (error instanceof SyntaxError)
    return { status: HttpStatus.BAD_REQUEST, code: 'invalid_state', message: 'The state is not one this server issued' };
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
