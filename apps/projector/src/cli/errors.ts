import { isConnectionLost } from './connection-retry.js';

export interface CliDatabaseContext {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
}

/** `host:port/database` of a URL, never its password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'an unparsable DATABASE_URL';
  }
}

/** The driver's code (ECONNREFUSED, 28P01, …) anywhere in the cause chain. */
function codeOf(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = cause;
  }
  return undefined;
}

/**
 * The innermost message (the driver's words), read by shape: an error of Node's own realm is not
 * `instanceof Error` everywhere (Jest's VM). Node's ECONNREFUSED over IPv4 and IPv6 is an
 * AggregateError with an empty message: its code then.
 */
function reason(error: unknown): string {
  let message = '';
  let current = error;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const { message: own, cause } = current as { message?: unknown; cause?: unknown };
    if (typeof own === 'string' && own) message = own;
    current = cause;
  }
  return message || codeOf(error) || String(error);
}

/**
 * The one line the CLI prints for an error, naming the fix: an unreachable server says which one
 * and how to get one; anything else keeps its own message, which already does.
 */
export function explainCliError(error: unknown, context: CliDatabaseContext): string {
  const code = codeOf(error);
  const where = context.databaseUrl ? `PostgreSQL at ${describeDatabaseUrl(context.databaseUrl)} (DATABASE_URL)` : undefined;
  if (isConnectionLost(error)) {
    return where
      ? `cannot reach ${where}: ${reason(error)}. Start that server, or unset DATABASE_URL to use the embedded database of a Console started with \`npm start\``
      : `the embedded database of DATA_DIR=${context.dataDir} stopped answering: ${reason(error)}. Is Console restarting? Start it with \`npm start\`, or set DATABASE_URL to a running server`;
  }
  if (where && (code === '28P01' || code === '28000'))
    return `${where} refused the credentials: ${reason(error)}. Fix the user and password in DATABASE_URL`;
  if (where && code === '3D000')
    return `${where}: ${reason(error)}. Create it (\`createdb\`) and run \`npm run console -- migrate\`, or point DATABASE_URL at the right database`;
  if (error instanceof Error) return error.message || reason(error);
  return String(error);
}
