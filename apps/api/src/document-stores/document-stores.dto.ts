import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_EMBEDDING_DIM = 4096;

/** `stores.getOrCreate`'s input: the original's optional `embeddingDim` (default 1024). */
export class EnsureStoreBody {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_EMBEDDING_DIM)
  embeddingDim?: number;
}
