import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type SignedStateFailure = 'invalid_state' | 'state_expired';

export class SignedStateError extends Error {
  constructor(readonly reason: SignedStateFailure) {
    super(
      reason === 'state_expired'
        ? 'The OAuth state has expired; start again'
        : 'The OAuth state is missing or was not issued by this server',
    );
    this.name = 'SignedStateError';
  }
}

export interface StatePayload {
  readonly userId: string;
  /** Random per state: names the OAuth round, so a replayed callback is recognised as the same one. */
  readonly nonce: string;
  /** What `sign` was given to bind the state to (e.g. a hash of a browser cookie); null when nothing. */
  readonly binding: string | null;
}

/**
 * The OAuth `state` parameter: who started the flow, a nonce and an expiry, HMAC-SHA256-signed.
 * The callback is reached by a browser redirect that carries no bearer token, so the user comes from
 * this value; a forged or altered state (CSRF: someone else's code attached to our user, or ours to
 * theirs) fails the signature, and an old one its expiry.
 */
export class SignedState {
  constructor(
    private readonly key: Buffer,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  sign(userId: string, now = Date.now(), binding?: string): string {
    const body = Buffer.from(
      JSON.stringify({
        u: userId,
        n: randomBytes(16).toString('base64url'),
        e: now + this.ttlMs,
        ...(binding === undefined ? {} : { b: binding }),
      }),
    ).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  verify(state: string | undefined, now = Date.now()): StatePayload {
    const [body, mac, ...rest] = (state ?? '').split('.');
    if (!body || !mac || rest.length > 0) throw new SignedStateError('invalid_state');
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SignedStateError('invalid_state');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { u: string; n: string; e: number; b?: string };
    if (!(payload.e > now)) throw new SignedStateError('state_expired');
    return { userId: payload.u, nonce: payload.n, binding: payload.b ?? null };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
