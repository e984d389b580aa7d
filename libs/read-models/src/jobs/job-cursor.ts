/** Keyset cursor: the (created_at, id) of the last item, so pages stay stable as jobs arrive. */
export interface JobCursor {
  readonly createdAt: string;
  readonly id: string;
}

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,400}$/;
/** Job ids are ours (UUIDs, seed ids): printable ASCII, so no NUL or other byte PostgreSQL refuses in text reaches it. */
const JOB_ID = /^[\x21-\x7e]{1,191}$/;

/**
 * Only a cursor `encodeCursor` could have emitted is accepted: the decoded pair must encode back to
 * the very same string, and its instant must be one PostgreSQL reads as JavaScript does (a real
 * calendar date in years 1–9999, in the exact form we write). Anything else is null, never a 500.
 */
export function decodeCursor(cursor: string): JobCursor | null {
  if (!BASE64URL.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [createdAt, id]: unknown[] = value;
  if (typeof createdAt !== 'string' || typeof id !== 'string' || !ISO_INSTANT.test(createdAt) || !JOB_ID.test(id)) return null;
  const instant = new Date(createdAt);
  if (Number.isNaN(instant.getTime()) || instant.toISOString() !== createdAt || instant.getUTCFullYear() < 1) return null;
  if (encodeCursor(createdAt, id) !== cursor) return null;
  return { createdAt, id };
}
