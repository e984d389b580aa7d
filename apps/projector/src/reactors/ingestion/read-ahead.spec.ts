import { describe, expect, it } from '@jest/globals';
import { ReadAhead } from './read-ahead.js';

/** Reads that the test answers by hand, so which ones are in flight is observable. */
function manualReads() {
  const started: number[] = [];
  const answers = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  const read = (item: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(item);
      answers.set(item, { resolve, reject });
    });
  const answer = async (item: number) => {
    answers.get(item)!.resolve(`text ${item}`);
    await Promise.resolve(); // the reader marks it read on the next microtask
  };
  return { started, answers, read, answer };
}

describe('reading batches ahead of the appends', () => {
  it('keeps at most `ahead` reads in flight and hands them out in order, the ready ones together', async () => {
    const { started, read, answer } = manualReads();
    const reads = new ReadAhead([0, 1, 2, 3, 4], read, 3);
    const first = reads.takeReady(10);
    expect(started).toEqual([0, 1, 2]);
    await answer(1); // out of order: not handed out before 0
    await answer(2);
    await answer(0);
    expect(await first).toEqual([0, 1, 2].map((item) => ({ item, value: `text ${item}` })));
    expect(started).toEqual([0, 1, 2, 3, 4]); // the window was refilled before the group was handed out
    await answer(3);
    const second = reads.takeReady(10);
    expect(await second).toEqual([{ item: 3, value: 'text 3' }]); // 4 is not read yet: not waited for
    expect(reads.hasNext).toBe(true);
    await answer(4);
    expect(await reads.takeReady(10)).toEqual([{ item: 4, value: 'text 4' }]);
    expect(reads.hasNext).toBe(false);
  });

  it('hands out no more than `max` at once', async () => {
    const reads = new ReadAhead([0, 1, 2], async (item: number) => `text ${item}`, 3);
    const taken = reads.takeReady(2);
    expect((await taken).map((t) => t.item)).toEqual([0, 1]);
    expect((await reads.takeReady(2)).map((t) => t.item)).toEqual([2]);
  });

  it('stops a group at the first ready read that `fits` refuses, and hands it out next', async () => {
    const reads = new ReadAhead([3, 4, 5], async (item: number) => item, 3);
    const underTen = (taken: readonly number[], next: number) => taken.reduce((a, b) => a + b, next) < 10;
    expect((await reads.takeReady(10, underTen)).map((t) => t.item)).toEqual([3, 4]);
    expect((await reads.takeReady(10, underTen)).map((t) => t.item)).toEqual([5]);
  });

  it('fails the take that reaches a failed read', async () => {
    const { read, answer, answers } = manualReads();
    const reads = new ReadAhead([0, 1], read, 2);
    const taken = reads.takeReady(2);
    answers.get(1)!.reject(new Error('blob query failed'));
    await Promise.resolve();
    await answer(0);
    expect((await taken).map((t) => t.item)).toEqual([0]); // the failed read is not ready output
    await expect(reads.takeReady(2)).rejects.toThrow('blob query failed');
  });
});
