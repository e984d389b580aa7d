/** Cohere's names: a query and the documents it is compared with are embedded differently. */
export type EmbeddingInputType = 'search_query' | 'search_document';

/** The port search ranks with; one provider embeds with one model. */
export interface EmbeddingProvider {
  readonly model: string;
  /** The length of every vector it returns; an answer of another length is an `EmbeddingProviderError`. */
  readonly dimensions: number | null;
  /** One vector per text, in the order given. */
  embed(texts: string[], inputType: EmbeddingInputType): Promise<number[][]>;
}

/** The provider could not answer (unreachable, refused, malformed reply): callers may fall back. */
export class EmbeddingProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EmbeddingProviderError';
  }
}
