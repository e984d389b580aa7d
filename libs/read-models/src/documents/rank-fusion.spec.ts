import { describe, expect, it } from '@jest/globals';
import { RRF_K, fuseByReciprocalRank } from './rank-fusion.js';

describe('fuseByReciprocalRank', () => {
  it('scores each document by the sum of 1 / (k + rank) over the lists that hold it', () => {
    expect(
      fuseByReciprocalRank([
        ['a', 'b'],
        ['b', 'c'],
      ]),
    ).toEqual([
      { id: 'b', score: 1 / (RRF_K + 2) + 1 / (RRF_K + 1) },
      { id: 'a', score: 1 / (RRF_K + 1) },
      { id: 'c', score: 1 / (RRF_K + 2) },
    ]);
  });

  it('ranks a document only the second list holds, when the first is empty', () => {
    expect(fuseByReciprocalRank([[], ['x', 'y']]).map((f) => f.id)).toEqual(['x', 'y']);
  });

  it('breaks ties by first appearance, the first list first', () => {
    expect(
      fuseByReciprocalRank([
        ['a', 'b'],
        ['b', 'a'],
      ]).map((f) => f.id),
    ).toEqual(['a', 'b']);
  });
});
