import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { dbQueryDuration, dbStatementTimeouts } from './db-metrics.js';
import type { Logger } from './logger.js';
import { countingQueries, currentRequestQueries, type RequestQueries } from './request-queries.js';
import { currentStatementName, deriveStatementName, inStatement } from './statement-names.js';

/** PostgreSQL's query_canceled: `statement_timeout` fired (or an operator cancelled the statement). */
const QUERY_CANCELED = '57014';
/** A safety net: names come from code, but a bug must not turn a label into an unbounded set. */
const MAX_STATEMENT_NAMES = 500;
const SQL_EXCERPT = 300;

/** True for a statement cancelled by `statement_timeout`, from pg directly or wrapped by TypeORM (QueryFailedError). */
export function isStatementTimeout(error: unknown): boolean {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  return code === QUERY_CANCELED || driverError?.code === QUERY_CANCELED;
}

export interface QueryObserverSettings {
  readonly logger: Logger;
  /** A statement slower than this logs one warning; 0 logs none. */
  readonly slowQueryMs: number;
}

type Callback = (error: Error | null, result?: unknown) => void;
const sendQuery = pg.Client.prototype.query as unknown as (this: pg.Client, ...args: unknown[]) => unknown;

function withContext<T>(name: string | undefined, request: RequestQueries | undefined, work: () => T): T {
  const named = name === undefined ? work : () => inStatement(name, work);
  return request === undefined ? named() : countingQueries(request, named);
}

/**
 * pg-pool hands a freed connection to the next waiter inside `release()`, so a `pool.query` that
 * waited would run in the async context of whoever released: another request's count, another
 * method's name. Re-entering the waiter's own statement name and request keeps both right; it is
 * cheaper than binding the whole async context (an AsyncResource per checkout cost a quarter of a
 * point lookup's throughput here). Callers that `await pool.connect()` keep theirs already: a
 * promise resumes in the awaiting context.
 */
class ContextKeepingPool extends pg.Pool {
  // Both of pg-pool's forms are forwarded: connect() → Promise, connect(callback) → void.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override connect(...args: any[]): any {
    const [callback] = args;
    if (typeof callback !== 'function') return super.connect();
    const name = currentStatementName();
    const request = currentRequestQueries();
    if (name === undefined && request === undefined) return super.connect(callback);
    return super.connect((...result: unknown[]) => withContext(name, request, () => callback(...result)));
  }
}

/**
 * Times, names and counts every statement of the pools given its client class: one histogram
 * observation (`db_query_duration_seconds{pool, statement}`), one count for the HTTP request that
 * issued it, one warning when it was slow or cancelled by `statement_timeout`.
 *
 * It sits in the pg client (a pool's documented `Client` option) rather than at each caller, so
 * every statement is seen whoever issues it (query classes, TypeORM, the event store, projector
 * batches, transactions' BEGIN and COMMIT), on the connection that runs it: the time waited for a
 * free connection is not the statement's, and `db_pool_connections{state="waiting"}` shows it.
 */
export class QueryObserver {
  private readonly names = new Set<string>();

  constructor(private readonly settings: QueryObserverSettings) {}

  /** A pg Client class for `new pg.Pool({ Client })` (TypeORM: `extra.Client`) whose statements count under `pool`. */
  client(pool: string): typeof pg.Client {
    const send = (client: pg.Client, args: unknown[]) => this.send(pool, client, args);
    return class ObservedClient extends pg.Client {
      // pg's query has eight overloads (text or config, values, callback, or a Submittable such as a
      // cursor); every one is forwarded unchanged, so this signature cannot be narrower.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      override query(...args: any[]): any {
        return send(this, args);
      }
    };
  }

  /** A pg Pool whose statements count under `name` (see `client`), and stay their caller's when they wait for a connection. */
  pool(name: string, config: pg.PoolConfig): pg.Pool {
    return new ContextKeepingPool({ ...config, Client: this.client(name) });
  }

  private send(pool: string, client: pg.Client, args: unknown[]): unknown {
    const [config, values, callback] = args;
    // A Submittable (cursor, stream) reports through its own events: not a single timed statement.
    if (
      config === null ||
      (typeof config !== 'string' && typeof config !== 'object') ||
      typeof (config as { submit?: unknown }).submit === 'function'
    )
      return sendQuery.apply(client, args);
    const done = this.begin(pool, typeof config === 'string' ? config : (config as { text?: string }).text);
    const observed =
      (original: Callback): Callback =>
      (error, result) => {
        done(error ?? undefined);
        original(error, result);
      };
    try {
      if (typeof values === 'function') return sendQuery.call(client, config, observed(values as Callback));
      if (typeof callback === 'function') return sendQuery.call(client, config, values, observed(callback as Callback));
      const ownCallback = (config as { callback?: unknown }).callback;
      if (typeof ownCallback === 'function')
        return sendQuery.call(client, { ...(config as object), callback: observed(ownCallback as Callback) }, values);
      return (sendQuery.apply(client, args) as Promise<unknown>).then(
        (result) => {
          done();
          return result;
        },
        (error: unknown) => {
          done(error);
          throw error;
        },
      );
    } catch (error) {
      done(error);
      throw error;
    }
  }

  private begin(pool: string, text: string | undefined): (error?: unknown) => void {
    const started = performance.now();
    const statement = this.nameOf(text);
    const request = currentRequestQueries();
    if (request) request.count++;
    return (error) => {
      const ms = performance.now() - started;
      dbQueryDuration.observe({ pool, statement }, ms / 1000);
      const line = () => ({ pool, statement, durationMs: Math.round(ms), requestId: request?.requestId, sql: text?.slice(0, SQL_EXCERPT) });
      if (error !== undefined && isStatementTimeout(error)) {
        dbStatementTimeouts.inc({ pool, statement });
        this.settings.logger.warn(line(), 'statement cancelled: it ran past statement_timeout');
      } else if (this.settings.slowQueryMs > 0 && ms > this.settings.slowQueryMs) {
        this.settings.logger.warn(line(), 'slow query');
      }
    };
  }

  private nameOf(text: string | undefined): string {
    const name = currentStatementName() ?? deriveStatementName(text);
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_STATEMENT_NAMES) return 'other';
    this.names.add(name);
    return name;
  }
}
