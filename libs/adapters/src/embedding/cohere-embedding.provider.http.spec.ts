import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { FAKE_COHERE_DIM, fakeEmbedding, startFakeCohere, type FakeCohere } from '#testing';
import { COHERE_MAX_TEXTS_PER_CALL, CohereEmbeddingProvider, embeddingProviderFromEnv } from './cohere-embedding.provider.js';
import { EmbeddingProviderError } from './embedding-provider.js';

let cohere: FakeCohere;

beforeAll(async () => {
  cohere = await startFakeCohere('co-spec-key');
});

afterAll(async () => {
  await cohere?.close();
});

beforeEach(() => {
  cohere.calls.length = 0;
  cohere.failWith = null;
});

const provider = (apiKey = cohere.apiKey) => new CohereEmbeddingProvider({ apiKey, apiUrl: `${cohere.url}/`, model: 'embed-english-v3.0' });

describe('CohereEmbeddingProvider', () => {
  it("asks a model that takes one for the store's embeddingDim (output_dimension), and gets vectors of that length", async () => {
    const v4 = provider().withModel('embed-v4.0', 512);
    const [vector] = await v4.embed(['alpha'], 'search_query');
    expect(vector).toHaveLength(512);
    expect(cohere.calls[0]!.body).toMatchObject({ model: 'embed-v4.0', output_dimension: 512 });
  });

  it("refuses an answer whose vectors are not the store's embeddingDim long, naming both lengths", async () => {
    // embed-english-v3.0 always answers 1,024 dimensions: a store that says 384 cannot use it.
    const mismatched = provider().withModel('embed-english-v3.0', 384);
    const failure = await mismatched.embed(['alpha'], 'search_document').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EmbeddingProviderError);
    expect((failure as Error).message).toMatch(/1024 dimensions; the store's embeddingDim is 384/);
    expect(cohere.calls[0]!.body).not.toHaveProperty('output_dimension');
  });

  it('posts texts, model and input type with the bearer key, and returns one vector per text in order', async () => {
    const vectors = await provider().embed(['alpha beta', 'gamma'], 'search_document');
    expect(vectors).toEqual([fakeEmbedding('alpha beta'), fakeEmbedding('gamma')]);
    expect(vectors[0]).toHaveLength(FAKE_COHERE_DIM);
    expect(cohere.calls).toEqual([
      {
        authorization: 'Bearer co-spec-key',
        body: {
          texts: ['alpha beta', 'gamma'],
          model: 'embed-english-v3.0',
          input_type: 'search_document',
          embedding_types: ['float'],
          truncate: 'END',
        },
      },
    ]);
  });

  it('sends at most 96 texts per call and keeps the order across batches', async () => {
    const texts = Array.from({ length: 2 * COHERE_MAX_TEXTS_PER_CALL + 5 }, (_, i) => `text number ${i}`);
    const vectors = await provider().embed(texts, 'search_query');
    expect(cohere.calls.map((c) => c.body.texts.length)).toEqual([96, 96, 5]);
    expect(vectors).toEqual(texts.map((text) => fakeEmbedding(text)));
  });

  it('makes no call for no text', async () => {
    expect(await provider().embed([], 'search_query')).toEqual([]);
    expect(cohere.calls).toHaveLength(0);
  });

  it('reports a refused key, a failing service and an unreachable one as EmbeddingProviderError', async () => {
    await expect(provider('wrong').embed(['a'], 'search_query')).rejects.toMatchObject({ name: 'EmbeddingProviderError', status: 401 });
    cohere.failWith = 503;
    await expect(provider().embed(['a'], 'search_query')).rejects.toMatchObject({ status: 503 });
    const nowhere = new CohereEmbeddingProvider({ apiKey: 'k', apiUrl: 'http://127.0.0.1:1' });
    await expect(nowhere.embed(['a'], 'search_query')).rejects.toBeInstanceOf(EmbeddingProviderError);
  });

  it('uses the same credentials with another model', async () => {
    await provider().withModel('embed-multilingual-v3.0').embed(['a'], 'search_query');
    expect(cohere.calls[0]!.body.model).toBe('embed-multilingual-v3.0');
  });
});

describe('embeddingProviderFromEnv', () => {
  it('is null without COHERE_API_KEY', () => {
    expect(embeddingProviderFromEnv({})).toBeNull();
  });

  it('reads the key and the URL (default https://api.cohere.com)', async () => {
    expect(embeddingProviderFromEnv({ COHERE_API_KEY: 'k' })?.model).toBe('embed-english-v3.0');
    const fromEnv = embeddingProviderFromEnv({ COHERE_API_KEY: cohere.apiKey, COHERE_API_URL: cohere.url }, 'embed-english-light-v3.0')!;
    await fromEnv.embed(['a'], 'search_document');
    expect(cohere.calls[0]).toMatchObject({ authorization: `Bearer ${cohere.apiKey}`, body: { model: 'embed-english-light-v3.0' } });
  });
});
