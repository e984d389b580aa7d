import { describe, expect, it } from '@jest/globals';
import { keepBest, type VectorHit } from './store-vectors.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('keepBest (the vector leg’s top list)', () => {
  it('keeps exactly the `limit` best of a stream, best first, ties by document id, as a full sort would', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const next = random(seed);
      // Scores on a coarse grid, so ties are common.
      const stream: VectorHit[] = Array.from({ length: 200 }, (_, i) => ({
        documentId: `doc-${String(Math.floor(next() * 1000)).padStart(4, '0')}-${i}`,
        chunkIndex: i % 3,
        score: Math.round(next() * 20) / 20,
      }));
      const limit = 1 + Math.floor(next() * 40);
      const hits: VectorHit[] = [];
      for (const hit of stream) keepBest(hits, hit, limit);
      const sorted = [...stream].sort((a, b) => b.score - a.score || (a.documentId < b.documentId ? -1 : 1)).slice(0, limit);
      expect(hits).toEqual(sorted);
    }
  });

  it('keeps fewer than `limit` when fewer came', () => {
    const hits: VectorHit[] = [];
    keepBest(hits, { documentId: 'b', chunkIndex: 0, score: 0.5 }, 10);
    keepBest(hits, { documentId: 'a', chunkIndex: 1, score: 0.9 }, 10);
    expect(hits.map((h) => h.documentId)).toEqual(['a', 'b']);
  });
});
