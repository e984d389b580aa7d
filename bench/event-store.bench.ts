import { randomUUID } from 'node:crypto';
import { PostgresEventStore, type GroupCommitOptions } from '#event-store';
import { percentile } from './support.js';

export interface AppendResult {
  readonly writers: number;
  readonly appends: number;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Whether concurrent appends shared transactions (the store's default) or each had its own. */
  readonly groupCommit: boolean;
}

/** Single-event appends to new streams, `writers` concurrent loops, the way commands append. */
export async function benchAppends(
  url: string,
  writers: number,
  appendsPerWriter: number,
  groupCommit: false | GroupCommitOptions = {},
): Promise<AppendResult> {
  const store = new PostgresEventStore({ connectionString: url, groupCommit });
  await store.ensureSchema();
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = 0; i < appendsPerWriter; i++) {
        const t = process.hrtime.bigint();
        await store.append(`bench-${randomUUID()}`, [{ id: randomUUID(), type: 'BenchAppended', data: { i } }], 'no-stream');
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await store.close();
  latencies.sort((a, b) => a - b);
  return {
    writers,
    appends: writers * appendsPerWriter,
    eventsPerSecond: (writers * appendsPerWriter) / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    groupCommit: groupCommit !== false,
  };
}
