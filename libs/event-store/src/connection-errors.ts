/** Node socket errors: the server is unreachable or the connection broke. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** PostgreSQL: admin_shutdown (pg_terminate_backend, a failover), crash_shutdown, cannot_connect_now (starting or in recovery). */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03']);
/** pg's own messages for a socket that closed under it, or a client already broken by that. */
const CLIENT_MESSAGES =
  /^Connection terminated( unexpectedly| due to connection timeout)?$|^Client has encountered a connection error and is not queryable$|^timeout exceeded when trying to connect$|^connect ECONNREFUSED/;

/**
 * The connection to PostgreSQL was lost or could not be made, as opposed to a statement that
 * failed: the outcome of what was in flight is unknown and a retry (with the same command id) is
 * safe. Follows TypeORM's `driverError` and `cause` chains, which wrap pg's errors.
 */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (typeof message === 'string' && CLIENT_MESSAGES.test(message)) return true;
    const wrapper = current as { driverError?: unknown; cause?: unknown };
    current = wrapper.driverError ?? wrapper.cause;
  }
  return false;
}
