import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface FakeClerk {
  readonly url: string;
  readonly secretKey: string;
  readonly publicKeyPem: string;
  /** Requests received, by `METHOD /path`. */
  readonly requests: Map<string, number>;
  sessionToken(claims: Record<string, unknown> & { sub: string }, options?: { expiresIn?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for Clerk's Backend API, for the real `@clerk/backend` client: it serves the
 * JWKS of a key pair it signs session tokens with, and counts every request it receives.
 */
export async function startFakeClerk(): Promise<FakeClerk> {
  const kid = 'ins_test_key';
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const requests = new Map<string, number>();
  const secretKey = 'sk_test_fake';
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const key = `${request.method} ${path}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    if (request.headers.authorization !== `Bearer ${secretKey}`) return json(response, 401, { errors: [{ code: 'authentication_invalid' }] });
    if (request.method === 'GET' && path === '/v1/jwks') return json(response, 200, { keys: [jwk] });
    return json(response, 404, { errors: [{ code: 'resource_not_found' }] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    publicKeyPem: await exportSPKI(publicKey),
    requests,
    sessionToken: (claims, options) => sign(privateKey, kid, claims, options?.expiresIn ?? '1h'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sign(privateKey: CryptoKey, kid: string, claims: Record<string, unknown>, expiresIn: string): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid }).setIssuer('https://clerk.fake.test').setIssuedAt().setNotBefore('0s').setExpirationTime(expiresIn).sign(privateKey);
}

/** Clerk's SDK parses bodies only with exactly this content type (see STACK-NOTES). */
function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
