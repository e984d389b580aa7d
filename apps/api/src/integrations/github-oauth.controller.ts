import { CONFIG, EVENT_STORE, TOKEN_CIPHER, type ConsoleConfig, type Cipher } from '#runtime';
import { readTypedStream, type EventStore } from '#event-store';
import { Controller, Get, HttpStatus, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { gitHubOAuthCommandIdFor, integrationStreamId, type IntegrationEvent } from '#domain';
import {
  GitHubOAuthError,
  GitHubTokenRejectedError,
  SignedState,
  SignedStateError,
  type GitHubInstallationsSource,
  type GitHubOAuthClient,
  type Principal,
} from '#adapters';
import { CurrentPrincipal, Public } from '../auth/auth.guard.js';
import { requireSessionPrincipal } from '../api-keys/api-key.authenticator.js';
import { ApiError } from '../common/api-error.js';
import { GITHUB_INSTALLATIONS } from './github-integration.service.js';
import { StoreGitHubOAuthResultCommand, type StoredGitHubIntegration } from './store-github-oauth-result.handler.js';

export const GITHUB_OAUTH = Symbol('GITHUB_OAUTH');

/** The browser binding of one OAuth round: a random nonce, HttpOnly, sent back only to these routes. */
export const OAUTH_COOKIE = 'console_github_oauth';
const OAUTH_COOKIE_PATH = '/v1/github';
/** As long as the state lives (SignedState's default): a cookie outliving its state is of no use. */
const OAUTH_COOKIE_MAX_AGE_MS = 10 * 60_000;

/**
 * The parameters the callback reads. Taken one by one, not as a DTO: GitHub appends others
 * (`installation_id`, `setup_action`, `error_uri`, …) that must not turn a redirect into a 400.
 */
interface GitHubCallbackQuery {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  /** The round's cookie, as the browser sent it. */
  readonly nonce?: string;
}

const single = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= 4000 ? value : undefined;

/** The original callback's reasons, and `github_unavailable` for a code exchange GitHub did not answer. */
type Failure =
  | 'invalid_state'
  | 'state_expired'
  | 'missing_code'
  | 'no_access_token'
  | 'unauthorized'
  | 'installations_fetch_failed'
  | 'github_unavailable';

const FAILURE_STATUS: Record<Failure, number> = {
  invalid_state: HttpStatus.BAD_REQUEST,
  state_expired: HttpStatus.BAD_REQUEST,
  missing_code: HttpStatus.BAD_REQUEST,
  no_access_token: HttpStatus.UNPROCESSABLE_ENTITY,
  unauthorized: HttpStatus.UNPROCESSABLE_ENTITY,
  installations_fetch_failed: HttpStatus.SERVICE_UNAVAILABLE,
  github_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * `integration.github.storeOAuthResult` through GitHub's web OAuth flow. The browser reaches the
 * callback by a redirect that carries no bearer token, so who connects comes from the signed `state`
 * issued by `GET /github/auth` to an authenticated caller. With `GITHUB_OAUTH_RETURN_URL` the
 * callback redirects there (`?github=connected` or `?github_error=<reason>`, the original's
 * reasons); without it, it answers JSON.
 */
@ApiTags('GitHub')
@Controller('v1/github')
export class GitHubOAuthController {
  constructor(
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(TOKEN_CIPHER) private readonly cipher: Cipher,
    @Inject(GITHUB_OAUTH) private readonly oauth: GitHubOAuthClient | null,
    @Inject(GITHUB_INSTALLATIONS) private readonly installations: GitHubInstallationsSource,
    private readonly commands: CommandBus,
  ) {}

  /**
   * Where to send the user to authorize; the SPA navigates there (a redirect could not carry our
   * bearer token). The answer also sets the round's cookie: a random nonce whose hash the signed
   * state carries, and from which the PKCE verifier is derived. The SPA must call this route with
   * `fetch(…, { credentials: 'include' })` (a cross-origin SPA also needs CORS with credentials for
   * the API's origin), so the browser keeps the cookie and sends it to the callback. Only the browser
   * that started the flow can complete it: a state sent to someone else (login CSRF, a phished link)
   * meets no cookie there, and a code intercepted on the way back is useless without the verifier.
   * A second start in the same browser replaces the cookie: only the newest round can complete.
   */
  @ApiOperation({ summary: 'Start connecting GitHub: the OAuth URL (integration.github.storeOAuthResult)' })
  @Get('auth')
  auth(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const { userId } = requireSessionPrincipal(principal);
    const client = this.client();
    const nonce = randomBytes(32).toString('base64url');
    response.cookie(OAUTH_COOKIE, nonce, {
      httpOnly: true,
      secure: request.secure,
      sameSite: 'lax',
      path: OAUTH_COOKIE_PATH,
      maxAge: OAUTH_COOKIE_MAX_AGE_MS,
    });
    return { url: client.authorizeUrl(this.state().sign(userId, Date.now(), bindingOf(nonce)), this.codeVerifier(nonce)) };
  }

  @ApiOperation({ summary: 'GitHub OAuth callback (integration.github.storeOAuthResult)' })
  @ApiQuery({ name: 'code', required: false, description: 'The OAuth code GitHub issued.' })
  @ApiQuery({ name: 'state', required: false, description: 'The signed state `GET /v1/github/auth` put in the URL.' })
  @ApiQuery({ name: 'error', required: false, description: 'GitHub’s error, when the user declined.', example: 'access_denied' })
  @ApiResponse({
    status: 302,
    description: 'With `GITHUB_OAUTH_RETURN_URL`: back to the console, `?github=connected` or `?github_error=<reason>`.',
  })
  @ApiResponse({ status: 200, description: 'Without a return URL: `{connected, integrationId, created, position}`.' })
  @ApiResponse({ status: 400, description: '`invalid_state`, `state_expired` or `missing_code`.' })
  @ApiResponse({ status: 422, description: '`no_access_token` or `unauthorized`.' })
  @ApiResponse({ status: 503, description: '`github_unavailable` or `installations_fetch_failed`.' })
  @Get('callback')
  @Public()
  async callback(
    @Query('code') code: unknown,
    @Query('state') state: unknown,
    @Query('error') githubError: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const client = this.client();
    const query: GitHubCallbackQuery = {
      code: single(code),
      state: single(state),
      error: single(githubError),
      nonce: cookieOf(request, OAUTH_COOKIE),
    };
    const outcome = await this.complete(client, query).catch((error: unknown) => {
      const reason = failureOf(error);
      if (!reason) throw error;
      return { failure: reason, message: error instanceof Error ? error.message : String(error) };
    });
    const returnUrl = this.config.githubOAuth?.returnUrl;
    if ('failure' in outcome) {
      if (returnUrl) return response.redirect(302, withParams(returnUrl, { github_error: outcome.failure }));
      response.status(FAILURE_STATUS[outcome.failure]).json({ error: { code: outcome.failure, message: outcome.message } });
      return;
    }
    if (returnUrl) return response.redirect(302, withParams(returnUrl, { github: 'connected', integrationId: outcome.id }));
    response.status(200).json({ connected: true, integrationId: outcome.id, created: outcome.created, position: outcome.position });
  }

  private async complete(client: GitHubOAuthClient, query: GitHubCallbackQuery): Promise<StoredGitHubIntegration> {
    const { userId, nonce, binding } = this.state().verify(query.state);
    // SameSite=Lax sends the cookie on GitHub's top-level redirect back to us; any other browser has none.
    if (!query.nonce || !binding || !sameText(bindingOf(query.nonce), binding)) {
      throw new CallbackFailure(
        'invalid_state',
        'The OAuth state was issued to another browser (no matching cookie); start again from this browser',
      );
    }
    // One OAuth round, one command: a reloaded callback page is answered from the stored event
    // (GitHub would refuse the used code a second time).
    const commandId = gitHubOAuthCommandIdFor(nonce);
    const history = await readTypedStream<IntegrationEvent>(this.eventStore, integrationStreamId(userId));
    const done = history.filter((e) => e.metadata.commandId === commandId).at(-1);
    if (done?.type === 'GitHubIntegrationConnected')
      return { id: done.data.integrationId, created: !done.data.reconnected, position: done.position };
    if (!query.code)
      throw new CallbackFailure('missing_code', query.error ? `GitHub sent no code (${query.error})` : 'GitHub sent no code');
    const token = await client.exchangeCode(query.code, this.codeVerifier(query.nonce));
    const installations = await this.installations.listUserInstallations(token.accessToken).catch((error: unknown) => {
      if (error instanceof GitHubTokenRejectedError) throw new CallbackFailure('unauthorized', error.message);
      throw new CallbackFailure('installations_fetch_failed', error instanceof Error ? error.message : String(error));
    });
    return this.commands.execute(new StoreGitHubOAuthResultCommand(userId, { ...token, installations }, { commandId, userId }));
  }

  private client(): GitHubOAuthClient {
    if (!this.oauth)
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'github_not_configured',
        'GitHub OAuth is not configured (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET)',
      );
    return this.oauth;
  }

  private state(): SignedState {
    return new SignedState(this.cipher.deriveKey('github-oauth-state'));
  }

  /**
   * The PKCE verifier, derived from the cookie's nonce with a server key rather than stored: the
   * callback recomputes it from the cookie, and neither the state nor the URL reveals it.
   * 43 base64url characters (256 bits), the shortest RFC 7636 allows.
   */
  private codeVerifier(nonce: string): string {
    return createHmac('sha256', this.cipher.deriveKey('github-oauth-pkce')).update(nonce).digest('base64url');
  }
}

class CallbackFailure extends Error {
  constructor(
    readonly reason: Failure,
    message: string,
  ) {
    super(message);
  }
}

function failureOf(error: unknown): Failure | null {
  if (error instanceof CallbackFailure) return error.reason;
  if (error instanceof SignedStateError) return error.reason;
  if (error instanceof GitHubOAuthError) return error.reason === 'no_access_token' ? 'no_access_token' : 'github_unavailable';
  return null;
}

function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/** What the state carries of the cookie: a hash, so the state (which travels through GitHub) does not reveal the nonce. */
const bindingOf = (nonce: string) => createHash('sha256').update(`github-oauth-cookie:${nonce}`).digest('base64url');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** One cookie from the header, without a cookie-parsing middleware for the one route that reads any. */
function cookieOf(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return single(part.slice(separator + 1).trim()); // base64url: nothing to decode
  }
  return undefined;
}
