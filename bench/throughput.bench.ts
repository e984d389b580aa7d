import autocannon from 'autocannon';
import { createBaselineTable } from './analytics-baseline.js';
import { seedWorkspace, startEnvironment } from './analytics.bench.js';
import { fmt } from './support.js';

/**
 * Sustained dashboard throughput: each endpoint loaded by `autocannon` with 16 keep-alive
 * connections for a fixed time, against the API of `npm start` over one seeded workspace, next to
 * the floor of the same server (`/health/live`: no auth, no query). The load generator runs in a
 * worker thread, so it does not share the API's event loop (it still shares the two cores).
 */
export interface ThroughputOptions {
  readonly jobs: number;
  readonly seconds: number;
  readonly connections?: number;
  readonly log: (line: string) => void;
}

export interface ThroughputResult {
  readonly name: string;
  readonly path: string;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly requests: number;
  /** Answers other than 2xx, and connection errors: a correct run has none. */
  readonly non2xx: number;
  readonly errors: number;
}

export interface ThroughputResults {
  readonly jobs: number;
  readonly seconds: number;
  readonly connections: number;
  readonly floor: ThroughputResult;
  readonly endpoints: ThroughputResult[];
  /** Requests/s of the slowest dashboard endpoint. */
  readonly slowestRequestsPerSecond: number;
}

export async function benchThroughput(options: ThroughputOptions): Promise<ThroughputResults> {
  const connections = options.connections ?? 16;
  const env = await startEnvironment();
  try {
    await createBaselineTable(env.pool);
    const { workspace } = await seedWorkspace(env, options.jobs, 0, options.log);
    const ws = `/workspaces/${workspace.name}`;
    const endpoints = [
      { name: 'percentiles 30d', path: `${ws}/jobs/percentiles?range=30d` },
      { name: 'time series 7d', path: `${ws}/jobs/timeseries?range=7d` },
      { name: 'statistics 24h', path: `${ws}/jobs/statistics?hours=24` },
      { name: 'workspace list', path: '/workspaces' },
    ];
    const origin = new URL(env.orgUrl).origin;
    const run = async (name: string, url: string, authorized: boolean): Promise<ThroughputResult> => {
      const result = await autocannon({
        url,
        connections,
        duration: options.seconds,
        workers: 1,
        headers: authorized ? { authorization: env.authorization } : {},
      });
      const measured: ThroughputResult = {
        name,
        path: url.slice(origin.length),
        requestsPerSecond: result.requests.average,
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
      };
      options.log(
        `  ${name.padEnd(16)} ${fmt(measured.requestsPerSecond, 0).padStart(6)} req/s, p50 ${fmt(measured.latencyP50Ms)} ms, p99 ${fmt(measured.latencyP99Ms)} ms (${measured.requests} requests, ${measured.non2xx} non-2xx, ${measured.errors} errors)`,
      );
      return measured;
    };
    const floor = await run('/health/live', `${origin}/health/live`, false);
    const measured: ThroughputResult[] = [];
    for (const endpoint of endpoints) measured.push(await run(endpoint.name, `${env.orgUrl}${endpoint.path}`, true));
    return {
      jobs: options.jobs,
      seconds: options.seconds,
      connections,
      floor,
      endpoints: measured,
      slowestRequestsPerSecond: Math.min(...measured.map((m) => m.requestsPerSecond)),
    };
  } finally {
    await env.close();
  }
}
