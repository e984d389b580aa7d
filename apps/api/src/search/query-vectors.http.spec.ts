import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CohereEmbeddingProvider } from '#adapters';
import { fakeEmbedding, startFakeCohere, type FakeCohere } from '#testing';
import { QueryVectors } from './query-vectors.js';

let cohere: FakeCohere;
let clock: number;
let vectors: QueryVectors;
const TTL_MS = 60_000;
const provider = (model: string) => new CohereEmbeddingProvider({ apiKey: cohere.apiKey, apiUrl: cohere.url, model });
const queries = () => cohere.calls.map((call) => [call.body.model, call.body.input_type, ...call.body.texts]);

beforeAll(async () => {
  cohere = await startFakeCohere();
});

afterAll(async () => {
  await cohere?.close();
});

beforeEach(() => {
  cohere.calls.length = 0;
  cohere.failWith = null;
  // Not 0: lru-cache takes a start time of 0 for "no TTL".
  clock = 1_000;
  vectors = new QueryVectors({ max: 3, ttlMs: TTL_MS, perf: { now: () => clock } });
});

describe('QueryVectors (through the Cohere client, against a fake Cohere)', () => {
  it('embeds a query once per model: the same text again costs no call', async () => {
    const english = provider('embed-english-v3.0');
    expect(await vectors.vectorFor(english, 'deploy rollback')).toEqual(fakeEmbedding('deploy rollback'));
    expect(await vectors.vectorFor(english, 'deploy rollback')).toEqual(fakeEmbedding('deploy rollback'));
    // Another provider object with the same model shares the entry.
    await vectors.vectorFor(provider('embed-english-v3.0'), 'deploy rollback');
    expect(queries()).toEqual([['embed-english-v3.0', 'search_query', 'deploy rollback']]);
  });

  it('never shares a vector across models', async () => {
    await vectors.vectorFor(provider('embed-english-v3.0'), 'deploy rollback');
    await vectors.vectorFor(provider('embed-multilingual-v3.0'), 'deploy rollback');
    await vectors.vectorFor(provider('embed-multilingual-v3.0'), 'deploy rollback');
    expect(queries()).toEqual([
      ['embed-english-v3.0', 'search_query', 'deploy rollback'],
      ['embed-multilingual-v3.0', 'search_query', 'deploy rollback'],
    ]);
  });

  it('shares one call between concurrent misses of a query', async () => {
    const english = provider('embed-english-v3.0');
    const answers = await Promise.all(Array.from({ length: 5 }, () => vectors.vectorFor(english, 'ingress')));
    expect(answers).toEqual(Array.from({ length: 5 }, () => fakeEmbedding('ingress')));
    expect(cohere.calls).toHaveLength(1);
  });

  it('asks again once the TTL passed', async () => {
    const english = provider('embed-english-v3.0');
    await vectors.vectorFor(english, 'ingress');
    clock += TTL_MS - 1;
    await vectors.vectorFor(english, 'ingress');
    expect(cohere.calls).toHaveLength(1);
    clock += 2;
    await vectors.vectorFor(english, 'ingress');
    expect(cohere.calls).toHaveLength(2);
  });

  it('is bounded: the least recently used query is evicted', async () => {
    const english = provider('embed-english-v3.0');
    for (const query of ['a1', 'b2', 'c3', 'd4']) await vectors.vectorFor(english, query);
    expect(vectors.size).toBe(3);
    await vectors.vectorFor(english, 'd4');
    expect(cohere.calls).toHaveLength(4);
    await vectors.vectorFor(english, 'a1');
    expect(cohere.calls).toHaveLength(5);
  });

  it('keeps no failure: the next search asks again', async () => {
    const english = provider('embed-english-v3.0');
    cohere.failWith = 503;
    await expect(vectors.vectorFor(english, 'ingress')).rejects.toMatchObject({ name: 'EmbeddingProviderError', status: 503 });
    cohere.failWith = null;
    expect(await vectors.vectorFor(english, 'ingress')).toEqual(fakeEmbedding('ingress'));
    expect(cohere.calls).toHaveLength(2);
  });
});
