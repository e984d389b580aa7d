import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** The vector length of Cohere's default model (`embed-english-v3.0`), and of any model the fake does not know. */
export const FAKE_COHERE_DIM = 1024;

/** Cohere's vector lengths: fixed for v3 models; `embed-v4.0` takes `output_dimension` (default 1,536). */
const MODEL_DIMENSIONS: Readonly<Record<string, number>> = {
  'embed-english-v3.0': 1024,
  'embed-multilingual-v3.0': 1024,
  'embed-english-light-v3.0': 384,
  'embed-multilingual-light-v3.0': 384,
  'embed-v4.0': 1536,
};
const OUTPUT_DIMENSIONS = [256, 512, 1024, 1536];

export interface FakeCohereCall {
  readonly authorization: string | undefined;
  readonly body: { texts: string[]; model: string; input_type: string; embedding_types?: string[]; output_dimension?: number };
}

export interface FakeCohere {
  readonly url: string;
  readonly apiKey: string;
  /** Every `/v1/embed` call, in order. */
  readonly calls: FakeCohereCall[];
  /** When set, `/v1/embed` answers this status. */
  failWith: number | null;
  close(): Promise<void>;
}

/** Lowercase words of 2+ letters or digits. */
const words = (text: string) => text.toLowerCase().match(/[a-z0-9]{2,}/g) ?? [];

/** FNV-1a, 32 bits. */
function hash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Words the fake embeds as one concept, as a real model would place them close: a document can be
 * found by a query that shares none of its words (the vector leg's tests). Words not listed embed
 * as themselves.
 */
export const FAKE_COHERE_SYNONYMS: Readonly<Record<string, string>> = {
  automobile: 'car',
  automobiles: 'car',
  cars: 'car',
  vehicle: 'car',
  vehicles: 'car',
  motorcar: 'car',
  repair: 'fix',
  repairs: 'fix',
  mend: 'fix',
  fixing: 'fix',
};

/**
 * A hashed bag of words (synonyms of `FAKE_COHERE_SYNONYMS` as one word), L2-normalised: texts
 * sharing words are close, whatever the ranking of a full-text engine says. Query and document
 * inputs are embedded alike, so the cosine of a query and a chunk is the overlap of their word counts.
 */
export function fakeEmbedding(text: string, dimensions = FAKE_COHERE_DIM): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of words(text)) vector[hash(FAKE_COHERE_SYNONYMS[word] ?? word) % dimensions]! += 1;
  const norm = Math.hypot(...vector) || 1;
  return vector.map((x) => x / norm);
}

/**
 * A loopback stand-in for Cohere's `POST /v1/embed`: checks the bearer key and the request shape
 * as Cohere does (400 on a missing field, more than 96 texts), answers `embeddings_by_type` when
 * `embedding_types` is sent and a plain list otherwise, and records every call.
 */
export async function startFakeCohere(apiKey = 'co-test-key'): Promise<FakeCohere> {
  const calls: FakeCohereCall[] = [];
  const state = { failWith: null as number | null };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method !== 'POST' || request.url !== '/v1/embed') return reply(404, { message: 'not found' });
      let body: FakeCohereCall['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { message: 'invalid JSON' });
      }
      calls.push({ authorization: request.headers.authorization, body });
      if (request.headers.authorization !== `Bearer ${apiKey}`) return reply(401, { message: 'invalid api token' });
      if (state.failWith !== null) return reply(state.failWith, { message: 'fake failure' });
      if (!Array.isArray(body.texts) || typeof body.model !== 'string' || typeof body.input_type !== 'string')
        return reply(400, { message: 'texts, model and input_type are required' });
      if (body.texts.length > 96) return reply(400, { message: 'too many texts: at most 96' });
      const takesOutputDimension = body.model.startsWith('embed-v4');
      if (body.output_dimension !== undefined && (!takesOutputDimension || !OUTPUT_DIMENSIONS.includes(body.output_dimension)))
        return reply(400, { message: `output_dimension ${body.output_dimension} is not supported by ${body.model}` });
      const dimensions = body.output_dimension ?? MODEL_DIMENSIONS[body.model] ?? FAKE_COHERE_DIM;
      const embeddings = body.texts.map((text) => fakeEmbedding(text, dimensions));
      const id = `fake-${calls.length}`;
      if (body.embedding_types)
        return reply(200, {
          id,
          response_type: 'embeddings_by_type',
          texts: body.texts,
          embeddings: { float: embeddings },
          meta: { api_version: { version: '1' } },
        });
      return reply(200, { id, response_type: 'embeddings_floats', texts: body.texts, embeddings, meta: { api_version: { version: '1' } } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    calls,
    get failWith() {
      return state.failWith;
    },
    set failWith(value: number | null) {
      state.failWith = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
