import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { createReadModelDataSource, migrateReadModels } from './data-source.js';

type Counts = Record<string, number>;

/** What merging must give: every key of either map, counts added. */
function added(a: Counts | null, b: Counts | null): Counts {
  const total: Counts = { ...(a ?? {}) };
  for (const [key, count] of Object.entries(b ?? {})) total[key] = (total[key] ?? 0) + count;
  return total;
}

/** A deterministic pseudo-random map of `size` buckets (keys as the sketches write them). */
function countsOf(seed: number, size: number): Counts {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  const counts: Counts = {};
  for (let i = 0; i < size; i++) counts[String((next() % 900) - 100)] = (next() % 1000) + 1;
  return counts;
}

describe('read_model_merge_counts (as migrated)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    const dataSource = createReadModelDataSource(database.url, { poolSize: 1 });
    await dataSource.initialize();
    await migrateReadModels(dataSource);
    await dataSource.destroy();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const merge = async (a: Counts | null, b: Counts | null) =>
    (
      await pool.query<{ merged: Counts }>('SELECT read_model_merge_counts($1::jsonb, $2::jsonb) AS merged', [
        a === null ? null : JSON.stringify(a),
        b === null ? null : JSON.stringify(b),
      ])
    ).rows[0]!.merged;

  it('adds two maps key by key, keeping the keys of either side', async () => {
    expect(await merge({ '1': 1, '2': 3 }, { '2': 4, '9': 1 })).toEqual({ '1': 1, '2': 7, '9': 1 });
    expect(await merge({ '-5': 2 }, { '-5': 3 })).toEqual({ '-5': 5 });
  });

  it('treats a missing map as empty', async () => {
    expect(await merge(null, { '1': 1 })).toEqual({ '1': 1 });
    expect(await merge({ '1': 1 }, null)).toEqual({ '1': 1 });
    expect(await merge(null, null)).toEqual({});
    expect(await merge({}, {})).toEqual({});
  });

  it('agrees with plain addition on large sketches and on counts past 2^31', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const a = countsOf(seed, 300);
      const b = countsOf(seed + 100, seed % 5 === 0 ? 300 : 3);
      expect(await merge(a, b)).toEqual(added(a, b));
    }
    expect(await merge({ '7': 2 ** 40 }, { '7': 2 ** 40, '8': 1 })).toEqual({ '7': 2 ** 41, '8': 1 });
  });
});
