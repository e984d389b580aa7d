import { EmbeddingProviderError, type EmbeddingInputType, type EmbeddingProvider } from './embedding-provider.js';

/** Cohere's limit of texts per `/v1/embed` call. */
export const COHERE_MAX_TEXTS_PER_CALL = 96;
export const COHERE_DEFAULT_API_URL = 'https://api.cohere.com';
export const COHERE_DEFAULT_MODEL = 'embed-english-v3.0';
/** Batches of one `embed` call sent at once: bounds the burst a large input sends to Cohere. */
const MAX_CONCURRENT_CALLS = 4;

export interface CohereEmbeddingOptions {
  readonly apiKey: string;
  /** Without the `/v1` suffix: `https://api.cohere.com`, or a test server's origin. */
  readonly apiUrl?: string;
  readonly model?: string;
  /**
   * The store's `embeddingDim`. Sent as `output_dimension` to the models that take one (`embed-v4*`);
   * for the others it is the length their vectors must have. Unset: any length is taken.
   */
  readonly dimensions?: number;
  readonly timeoutMs?: number;
}

/** Cohere's models whose vector length is chosen per request (`output_dimension`); v3 models have a fixed one. */
const takesOutputDimension = (model: string) => /^embed-v[4-9]/.test(model);

/** `/v1/embed` answers `embeddings` as a list (no `embedding_types`) or by type (`{ float: [...] }`). */
interface EmbedResponse {
  readonly embeddings?: number[][] | { readonly float?: number[][] };
}

/**
 * Cohere's REST `POST /v1/embed` with plain fetch: one endpoint, so no SDK (and its dependency tree)
 * is needed, and the timeout and the error mapping stay ours. Texts are sent in batches of 96.
 */
export class CohereEmbeddingProvider implements EmbeddingProvider {
  readonly model: string;
  readonly dimensions: number | null;
  private readonly endpoint: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: CohereEmbeddingOptions) {
    this.model = options.model ?? COHERE_DEFAULT_MODEL;
    this.dimensions = options.dimensions ?? null;
    this.endpoint = `${(options.apiUrl ?? COHERE_DEFAULT_API_URL).replace(/\/+$/, '')}/v1/embed`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The same credentials with another model and vector length (stores choose both). */
  withModel(model: string, dimensions?: number): CohereEmbeddingProvider {
    return model === this.model && (dimensions ?? null) === this.dimensions
      ? this
      : new CohereEmbeddingProvider({ ...this.options, model, dimensions });
  }

  async embed(texts: string[], inputType: EmbeddingInputType): Promise<number[][]> {
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += COHERE_MAX_TEXTS_PER_CALL) batches.push(texts.slice(i, i + COHERE_MAX_TEXTS_PER_CALL));
    const vectors: number[][][] = [];
    for (let i = 0; i < batches.length; i += MAX_CONCURRENT_CALLS) {
      vectors.push(...(await Promise.all(batches.slice(i, i + MAX_CONCURRENT_CALLS).map((batch) => this.call(batch, inputType)))));
    }
    return vectors.flat();
  }

  private async call(texts: string[], inputType: EmbeddingInputType): Promise<number[][]> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        // `truncate: END`: a chunk over the model's limit is cut rather than refusing the whole batch.
        body: JSON.stringify({
          texts,
          model: this.model,
          input_type: inputType,
          embedding_types: ['float'],
          truncate: 'END',
          ...(this.dimensions !== null && takesOutputDimension(this.model) ? { output_dimension: this.dimensions } : {}),
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new EmbeddingProviderError(`Cohere is unreachable: ${error instanceof Error ? error.message : String(error)}`, null, {
        cause: error,
      });
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      throw new EmbeddingProviderError(`Cohere answered ${response.status}${detail ? `: ${detail}` : ''}`, response.status);
    }
    const body = (await response.json().catch(() => null)) as EmbedResponse | null;
    const embeddings = Array.isArray(body?.embeddings) ? body.embeddings : body?.embeddings?.float;
    if (!Array.isArray(embeddings) || embeddings.length !== texts.length || !embeddings.every((v) => Array.isArray(v))) {
      throw new EmbeddingProviderError(
        `Cohere answered ${Array.isArray(embeddings) ? embeddings.length : 'no'} embeddings for ${texts.length} texts`,
      );
    }
    const wrongLength = this.dimensions === null ? undefined : embeddings.find((v) => v.length !== this.dimensions);
    if (wrongLength)
      throw new EmbeddingProviderError(
        `Cohere's ${this.model} answered vectors of ${wrongLength.length} dimensions; the store's embeddingDim is ${this.dimensions}`,
      );
    return embeddings;
  }
}

/** `COHERE_API_KEY` (and `COHERE_API_URL`); null without a key: search then ranks by full text only. */
export function embeddingProviderFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  model: string = COHERE_DEFAULT_MODEL,
): CohereEmbeddingProvider | null {
  const apiKey = env.COHERE_API_KEY;
  if (!apiKey) return null;
  return new CohereEmbeddingProvider({ apiKey, apiUrl: env.COHERE_API_URL || COHERE_DEFAULT_API_URL, model });
}
