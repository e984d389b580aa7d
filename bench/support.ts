import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase } from '#runtime';

export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database on DATABASE_URL's server, or on an embedded server when it is not set. */
export async function benchDatabase(): Promise<BenchDatabase> {
  if (!process.env.DATABASE_URL) {
    const embedded = await startEmbeddedDatabase({
      dataDir: mkdtempSync(join(tmpdir(), 'console-bench-')),
      port: 20000 + Math.floor(Math.random() * 20000),
      persistent: false,
    });
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const name = `bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1))]!;
}

/** Runs `work` `iterations` times after `warmup` runs; returns sorted latencies in ms. */
export async function measure(iterations: number, work: () => Promise<unknown>, warmup = Math.min(20, iterations)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export interface BoundedMeasureOptions {
  /** Stop after this many timed runs… */
  readonly iterations: number;
  /** …or once this much time went into timed runs, provided `minIterations` are done. */
  readonly budgetMs: number;
  readonly minIterations: number;
  /** Untimed runs first (JIT, caches, pool connections), also cut short by a tenth of the budget. */
  readonly warmup: number;
}

/**
 * Like `measure`, but bounded in time: a baseline that takes a second per call at 1M jobs gets
 * `minIterations` samples instead of hundreds. Returns sorted latencies in ms.
 */
export async function measureBounded<R>(
  work: () => Promise<R>,
  options: BoundedMeasureOptions,
  /** Sees what each timed run returned (not the warm-up's): e.g. the server time of an HTTP request. */
  onResult?: (result: R) => void,
): Promise<number[]> {
  const warmupUntil = Date.now() + options.budgetMs / 10;
  for (let i = 0; i < options.warmup && (i === 0 || Date.now() < warmupUntil); i++) await work();
  const samples: number[] = [];
  let spentMs = 0;
  while (samples.length < options.iterations && (samples.length < options.minIterations || spentMs < options.budgetMs)) {
    const start = process.hrtime.bigint();
    const result = await work();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    onResult?.(result);
    samples.push(ms);
    spentMs += ms;
  }
  return samples.sort((a, b) => a - b);
}

/** Elapsed milliseconds since `start` (a `process.hrtime.bigint()`). */
export const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
