import { describe, expect, it } from '@jest/globals';
import type { RowChange, TableDefinition } from './projection.js';
import { RowChangeBatch } from './row-change-batch.js';

const items: TableDefinition = {
  name: 'items',
  columns: {
    id: { type: 'text' },
    name: { type: 'text' },
    status: { type: 'text' },
    note: { type: 'text', nullable: true },
    name_vector: { type: 'tsvector', generated: `to_tsvector('english'::regconfig, name)` },
  },
  primaryKey: ['id'],
};

const counters: TableDefinition = {
  name: 'counters',
  columns: {
    workspace_id: { type: 'text' },
    hour: { type: 'timestamptz' },
    total: { type: 'bigint', default: '0' },
    failed: { type: 'bigint', default: '0' },
    max_duration_ms: { type: 'bigint', default: '0' },
  },
  primaryKey: ['workspace_id', 'hour'],
};

const newBatch = () => new RowChangeBatch(new Map([items, counters].map((t) => [t.name, t])));

/** The pending operations of a batch as plain data, so a test compares whole shapes. */
function pending(batch: RowChangeBatch) {
  return {
    rowOps: Object.fromEntries([...batch.rowOps].map(([table, ops]) => [table, Object.fromEntries(ops)])),
    increments: Object.fromEntries([...batch.increments].map(([table, ops]) => [table, Object.fromEntries(ops)])),
  };
}

const upsert = (row: Record<string, unknown>): RowChange => ({ kind: 'upsert', table: 'items', row });
const patch = (id: string, set: Record<string, unknown>): RowChange => ({ kind: 'patch', table: 'items', key: { id }, set });
const remove = (id: string): RowChange => ({ kind: 'delete', table: 'items', key: { id } });
const HOUR = '2025-01-01T10:00:00.000Z';
const increment = (workspace: string, add: Record<string, number>, max?: Record<string, number>): RowChange => ({
  kind: 'increment',
  table: 'counters',
  key: { workspace_id: workspace, hour: HOUR },
  add,
  ...(max ? { max } : {}),
});

describe('RowChangeBatch', () => {
  describe('when empty', () => {
    it('reports itself empty, and stays empty after an event with no changes', () => {
      const batch = newBatch();
      expect(batch.isEmpty).toBe(true);
      batch.addAll([]);
      expect(batch.isEmpty).toBe(true);
    });

    it('keeps a single change as it is', () => {
      const batch = newBatch();
      batch.addAll([patch('a', { status: 'running' })]);
      expect(batch.isEmpty).toBe(false);
      expect(pending(batch).rowOps).toEqual({ items: { '["a"]': { op: 'patch', key: { id: 'a' }, set: { status: 'running' } } } });
    });
  });

  describe('when a row was upserted earlier in the batch', () => {
    it('folds a later patch into one upsert with the merged columns (a job queued and completed in one batch is one insert)', () => {
      const batch = newBatch();
      batch.addAll([upsert({ id: 'a', name: 'build', status: 'queued', note: null })]);
      batch.addAll([patch('a', { status: 'running' })]);
      batch.addAll([patch('a', { status: 'completed', note: 'done' })]);
      expect(pending(batch).rowOps).toEqual({
        items: { '["a"]': { op: 'upsert', row: { id: 'a', name: 'build', status: 'completed', note: 'done' }, deleteFirst: false } },
      });
    });

    it('overwrites the given columns with a second upsert and keeps the others', () => {
      const batch = newBatch();
      batch.addAll([upsert({ id: 'a', name: 'build', status: 'queued', note: 'first' })]);
      batch.addAll([upsert({ id: 'a', status: 'running' })]);
      expect(pending(batch).rowOps.items!['["a"]']).toEqual({
        op: 'upsert',
        row: { id: 'a', name: 'build', status: 'running', note: 'first' },
        deleteFirst: false,
      });
    });

    it('turns a later delete into a delete of the key only', () => {
      const batch = newBatch();
      batch.addAll([upsert({ id: 'a', name: 'build', status: 'queued' })]);
      batch.addAll([remove('a')]);
      expect(pending(batch).rowOps.items).toEqual({ '["a"]': { op: 'delete', key: { id: 'a' } } });
    });
  });

  describe('when a row was patched earlier in the batch', () => {
    it('merges a second patch into one, the later value of a column winning', () => {
      const batch = newBatch();
      batch.addAll([patch('a', { status: 'running', note: 'started' })]);
      batch.addAll([patch('a', { status: 'completed' })]);
      expect(pending(batch).rowOps.items).toEqual({
        '["a"]': { op: 'patch', key: { id: 'a' }, set: { status: 'completed', note: 'started' } },
      });
    });

    it('turns a later delete into a delete', () => {
      const batch = newBatch();
      batch.addAll([patch('a', { status: 'running' })]);
      batch.addAll([remove('a')]);
      expect(pending(batch).rowOps.items).toEqual({ '["a"]': { op: 'delete', key: { id: 'a' } } });
    });
  });

  describe('when a row was deleted earlier in the batch', () => {
    it('turns a later upsert into an upsert that deletes the old row first, so no column of the old row survives', () => {
      const batch = newBatch();
      batch.addAll([remove('a')]);
      batch.addAll([upsert({ id: 'a', name: 'again', status: 'queued' })]);
      expect(pending(batch).rowOps.items).toEqual({
        '["a"]': { op: 'upsert', row: { id: 'a', name: 'again', status: 'queued' }, deleteFirst: true },
      });
    });

    it('keeps the delete-first flag through later patches and upserts', () => {
      const batch = newBatch();
      batch.addAll([remove('a')]);
      batch.addAll([upsert({ id: 'a', name: 'again', status: 'queued' })]);
      batch.addAll([patch('a', { status: 'running' })]);
      batch.addAll([upsert({ id: 'a', note: 'n' })]);
      expect(pending(batch).rowOps.items).toEqual({
        '["a"]': { op: 'upsert', row: { id: 'a', name: 'again', status: 'running', note: 'n' }, deleteFirst: true },
      });
    });

    it('ignores a later patch: a patch of a missing row changes nothing', () => {
      const batch = newBatch();
      batch.addAll([remove('a')]);
      batch.addAll([patch('a', { status: 'running' })]);
      expect(pending(batch).rowOps.items).toEqual({ '["a"]': { op: 'delete', key: { id: 'a' } } });
    });
  });

  it('keeps one operation per key, never merging different keys', () => {
    const batch = newBatch();
    batch.addAll([upsert({ id: 'a', name: 'a', status: 'queued' }), upsert({ id: 'b', name: 'b', status: 'queued' })]);
    batch.addAll([patch('b', { status: 'running' }), remove('c')]);
    expect(pending(batch).rowOps.items).toEqual({
      '["a"]': { op: 'upsert', row: { id: 'a', name: 'a', status: 'queued' }, deleteFirst: false },
      '["b"]': { op: 'upsert', row: { id: 'b', name: 'b', status: 'running' }, deleteFirst: false },
      '["c"]': { op: 'delete', key: { id: 'c' } },
    });
  });

  describe('increments', () => {
    it('sums counters per key and keeps the maximum of each max column', () => {
      const batch = newBatch();
      batch.addAll([increment('w1', { total: 1 }, { max_duration_ms: 300 })]);
      batch.addAll([increment('w1', { total: 1, failed: 1 }, { max_duration_ms: 120 })]);
      batch.addAll([increment('w1', { total: 1, failed: -1 }, { max_duration_ms: 900 })]);
      batch.addAll([increment('w2', { total: 5 })]);
      expect(pending(batch).increments).toEqual({
        counters: {
          [JSON.stringify(['w1', HOUR])]: {
            key: { workspace_id: 'w1', hour: HOUR },
            add: { total: 3, failed: 0 },
            max: { max_duration_ms: 900 },
            counts: {},
          },
          [JSON.stringify(['w2', HOUR])]: { key: { workspace_id: 'w2', hour: HOUR }, add: { total: 5 }, max: {}, counts: {} },
        },
      });
      expect(batch.rowOps.size).toBe(0);
    });

    it('keys a composite primary key by its declared column order, whatever the order of the key object', () => {
      const batch = newBatch();
      batch.addAll([{ kind: 'increment', table: 'counters', key: { hour: HOUR, workspace_id: 'w1' }, add: { total: 1 } }]);
      batch.addAll([increment('w1', { total: 2 })]);
      expect([...batch.increments.get('counters')!.values()]).toEqual([
        { key: { workspace_id: 'w1', hour: HOUR }, add: { total: 3 }, max: {}, counts: {} },
      ]);
    });
  });

  describe('addAll is all or nothing', () => {
    function batchWithOneEvent(): RowChangeBatch {
      const batch = newBatch();
      batch.addAll([upsert({ id: 'a', name: 'build', status: 'queued' }), increment('w1', { total: 1 })]);
      return batch;
    }

    it.each<[string, RowChange, RegExp]>([
      ['names an unknown table', { kind: 'upsert', table: 'nope', row: { id: 'x' } }, /Unknown read-model table: nope/],
      ['names an unknown column in an upsert', upsert({ id: 'x', colour: 'red' }), /Unknown column items\.colour/],
      ['names an unknown column in a patch', patch('a', { colour: 'red' }), /Unknown column items\.colour/],
      ['writes a generated column', patch('a', { name_vector: 'build' }), /items\.name_vector is generated/],
      ['names an unknown counter column', increment('w1', { bogus: 1 }), /Unknown column counters\.bogus/],
      ['names an unknown max column', increment('w1', { total: 1 }, { bogus: 1 }), /Unknown column counters\.bogus/],
      ['upserts a row without its key column', upsert({ name: 'nameless', status: 'queued' }), /lacks key column id/],
      ['patches with a null key column', { kind: 'patch', table: 'items', key: { id: null }, set: { status: 'x' } }, /lacks key column id/],
      ['deletes without a key column', { kind: 'delete', table: 'items', key: {} }, /lacks key column id/],
      [
        'increments with half of a composite key',
        { kind: 'increment', table: 'counters', key: { workspace_id: 'w1' }, add: { total: 1 } },
        /lacks key column hour/,
      ],
    ])('leaves the batch as it was when one change %s', (_, bad, message) => {
      const batch = batchWithOneEvent();
      const before = structuredClone(pending(batch));
      // The good changes come before and after the bad one: neither may land.
      const changes: RowChange[] = [
        patch('a', { status: 'running' }),
        remove('b'),
        increment('w1', { total: 10 }, { max_duration_ms: 5 }),
        bad,
        upsert({ id: 'c', name: 'c', status: 'queued' }),
      ];
      expect(() => batch.addAll(changes)).toThrow(message);
      expect(pending(batch)).toEqual(before);
    });

    it('leaves an empty batch empty when its only event is refused', () => {
      const batch = newBatch();
      expect(() =>
        batch.addAll([upsert({ id: 'a', name: 'a', status: 'queued' }), { kind: 'delete', table: 'nope', key: { id: 'a' } }]),
      ).toThrow(/Unknown read-model table/);
      expect(batch.isEmpty).toBe(true);
    });
  });

  describe('count maps and latest rows', () => {
    const tables = new Map([
      [
        'hist',
        { name: 'hist', columns: { k: { type: 'text' }, n: { type: 'bigint' }, durations: { type: 'jsonb' } }, primaryKey: ['k'] } as const,
      ],
      [
        'latest',
        { name: 'latest', columns: { k: { type: 'text' }, at: { type: 'timestamptz' }, id: { type: 'text' } }, primaryKey: ['k'] } as const,
      ],
    ]) as unknown as ConstructorParameters<typeof RowChangeBatch>[0];

    it('adds count maps key by key per row', () => {
      const batch = new RowChangeBatch(tables);
      batch.addAll([{ kind: 'increment', table: 'hist', key: { k: 'a' }, add: { n: 1 }, counts: { durations: { '5': 1, '7': 2 } } }]);
      batch.addAll([{ kind: 'increment', table: 'hist', key: { k: 'a' }, add: { n: 1 }, counts: { durations: { '7': 1, '9': 1 } } }]);
      expect([...batch.increments.get('hist')!.values()]).toEqual([
        {
          key: { k: 'a' },
          add: { n: 2 },
          max: {},
          counts: {
            durations: new Map([
              ['5', 1],
              ['7', 3],
              ['9', 1],
            ]),
          },
        },
      ]);
    });

    it('keeps the greatest row by the given columns, in whatever order they arrive', () => {
      const batch = new RowChangeBatch(tables);
      const row = (at: string, id: string) => ({ kind: 'latest', table: 'latest', row: { k: 'w', at, id }, by: ['at', 'id'] }) as const;
      batch.addAll([
        row('2025-01-02T00:00:00.000Z', 'b'),
        row('2025-01-01T00:00:00.000Z', 'z'),
        row('2025-01-02T00:00:00.000Z', 'c'),
        row('2025-01-02T00:00:00.000Z', 'a'),
      ]);
      expect([...batch.latest.get('latest')!.values()].map((l) => l.row)).toEqual([{ k: 'w', at: '2025-01-02T00:00:00.000Z', id: 'c' }]);
    });
  });
});
