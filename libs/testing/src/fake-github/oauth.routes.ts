import { createHash, randomBytes } from 'node:crypto';
import { json, onBody } from './http-replies.js';
import type { Route, RouteContext } from './route.js';

/** The OAuth app's code exchange (`POST /login/oauth/access_token`), with PKCE when the code was issued for a challenge. */
export function oauthRoutes() {
  const codes = new Map<string, { token: string; scope: string; codeChallenge?: string }>();

  function exchange({ request, response }: RouteContext): void {
    onBody(request, (body) => {
      const params = request.headers['content-type']?.includes('application/json')
        ? (JSON.parse(body || '{}') as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(body));
      const issued = params.code === undefined ? undefined : codes.get(params.code);
      // GitHub answers a bad code with 200 and an error body, not with an error status.
      if (!issued || params.client_id !== 'gh-client-id' || params.client_secret !== 'gh-client-secret') {
        return json(response, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      }
      // PKCE: a code issued for a challenge is exchanged only with its verifier; a failed attempt burns the code, as on GitHub.
      if (
        issued.codeChallenge !== undefined &&
        (typeof params.code_verifier !== 'string' ||
          createHash('sha256').update(params.code_verifier, 'ascii').digest('base64url') !== issued.codeChallenge)
      ) {
        codes.delete(params.code!);
        return json(response, 200, {
          error: 'bad_verification_code',
          error_description: 'The code_verifier does not match the code_challenge.',
        });
      }
      codes.delete(params.code!);
      json(response, 200, { access_token: issued.token, token_type: 'bearer', scope: issued.scope });
    });
  }

  const routes: Route[] = [{ method: 'POST', path: /^\/login\/oauth\/access_token$/, handle: exchange }];
  return {
    routes,
    issueCode: (code: string, token: string, scope = 'read:user') => void codes.set(code, { token, scope }),
    authorize(authorizeUrl: string, token: string, scope = 'read:user'): string {
      const url = new URL(authorizeUrl);
      if (url.pathname !== '/login/oauth/authorize' || url.searchParams.get('client_id') !== 'gh-client-id')
        throw new Error(`Not an authorize URL of this fake's OAuth app: ${authorizeUrl}`);
      const challenge = url.searchParams.get('code_challenge');
      if (challenge !== null && url.searchParams.get('code_challenge_method') !== 'S256')
        throw new Error('The fake GitHub supports only code_challenge_method=S256');
      const code = randomBytes(10).toString('hex');
      codes.set(code, { token, scope, ...(challenge === null ? {} : { codeChallenge: challenge }) });
      return code;
    },
  };
}
