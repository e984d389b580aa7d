import { ChunkEmbeddingQueries, sqlOnPool } from '#read-models';
import { CHUNK_EMBEDDINGS_CHANNEL, EMBEDDED_CHUNK_LIMIT } from '../../apps/projector/src/reactors/embedding/chunk-embedding.reactor.js';
import type { TestApp } from './app.js';

/**
 * Until the embedding reactor has stored a vector for every chunk of the store (its chunks must be
 * projected already: wait for the indexing's position first). Woken by the reactor's NOTIFY.
 */
export async function waitForEmbeddings(app: TestApp, storeId: string, timeoutMs = 30_000): Promise<void> {
  const queries = new ChunkEmbeddingQueries(sqlOnPool(app.runtime.projectorPool));
  const client = await app.runtime.projectorPool.connect();
  let wake: () => void = () => undefined;
  const onNotification = () => wake();
  client.on('notification', onNotification);
  try {
    await client.query(`LISTEN ${CHUNK_EMBEDDINGS_CHANNEL}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const missing = await queries.chunksWithoutVector(storeId, EMBEDDED_CHUNK_LIMIT);
      if (missing === 0) return;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`store ${storeId}: ${missing} chunks still without a vector after ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]);
      clearTimeout(timer);
    }
  } finally {
    client.off('notification', onNotification);
    await client.query(`UNLISTEN ${CHUNK_EMBEDDINGS_CHANNEL}`).catch(() => undefined);
    client.release();
  }
}
