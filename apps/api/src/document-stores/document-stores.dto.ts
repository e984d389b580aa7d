import { EMBEDDING_DIMENSIONS } from '#domain';
import { IsIn, IsInt, IsOptional } from 'class-validator';

/**
 * `stores.getOrCreate`'s input: the original's optional `embeddingDim` (default 1024). It chooses
 * the store's embedding model, so only the lengths a model produces are taken.
 */
export class EnsureStoreBody {
  @IsOptional()
  @IsInt()
  @IsIn(EMBEDDING_DIMENSIONS, {
    message: `embeddingDim must be one of ${EMBEDDING_DIMENSIONS.join(', ')} (the vector lengths of Cohere's models)`,
  })
  embeddingDim?: number;
}
