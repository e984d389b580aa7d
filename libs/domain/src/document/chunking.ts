export interface Chunk {
  readonly index: number;
  readonly text: string;
}

/**
 * Splits text into chunks of at most `maxTokens` whitespace-separated tokens, each overlapping the
 * previous one by `overlap` tokens (the original chunked at 512 with 50). Pure and deterministic:
 * the projection chunks again on replay and must get the same chunks. Empty text has no chunk.
 */
export function chunkText(text: string, { maxTokens, overlap }: { readonly maxTokens: number; readonly overlap: number }): Chunk[] {
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError('maxTokens must be a positive integer');
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= maxTokens) throw new RangeError('overlap must be in [0, maxTokens)');
  const tokens = text.split(/\s+/).filter((t) => t !== '');
  const chunks: Chunk[] = [];
  const step = maxTokens - overlap;
  for (let start = 0; start < tokens.length; start += step) {
    chunks.push({ index: chunks.length, text: tokens.slice(start, start + maxTokens).join(' ') });
    if (start + maxTokens >= tokens.length) break;
  }
  return chunks;
}
