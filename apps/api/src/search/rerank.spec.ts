import { describe, expect, it } from '@jest/globals';
import { SEMANTIC_WEIGHT, cosineSimilarity, rerank } from './rerank.js';

describe('cosineSimilarity', () => {
  it('is 1 for parallel vectors, 0 for orthogonal ones and for a zero vector', () => {
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
  });

  it('refuses vectors of different dimensions', () => {
    expect(() => cosineSimilarity([1], [1, 2])).toThrow('different dimensions');
  });
});

describe('rerank', () => {
  const candidates = [
    { id: 'fts-best', score: 0.9 },
    { id: 'semantic-best', score: 0.3 },
    { id: 'neither', score: 0.1 },
  ];

  it('moves the candidate closest to the query up, blending in the normalised full-text score', () => {
    const ranked = rerank(
      candidates,
      [1, 0],
      [
        [0, 1],
        [1, 0],
        [0, 1],
      ],
    );
    expect(ranked.map((r) => r.candidate.id)).toEqual(['semantic-best', 'fts-best', 'neither']);
    expect(ranked[0]!.score).toBeCloseTo(SEMANTIC_WEIGHT + (1 - SEMANTIC_WEIGHT) * (0.3 / 0.9));
    expect(ranked[1]!.score).toBeCloseTo(1 - SEMANTIC_WEIGHT);
  });

  it('keeps the full-text order when the embeddings cannot tell the candidates apart', () => {
    const same = [1, 1];
    expect(rerank(candidates, same, [same, same, same]).map((r) => r.candidate.id)).toEqual(['fts-best', 'semantic-best', 'neither']);
  });

  it('refuses a vector count that does not match the candidates', () => {
    expect(() => rerank(candidates, [1], [[1]])).toThrow('1 vectors for 3 candidates');
  });
});
