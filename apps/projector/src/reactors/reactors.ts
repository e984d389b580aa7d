import { gitHubAppFromEnv } from '#adapters';
import type { Runtime } from '#runtime';
import { ChunkEmbeddingReactor } from './embedding/chunk-embedding.reactor.js';
import { IngestionReactor, type IngestionReactorOptions } from './ingestion/ingestion.reactor.js';

export interface Reactors {
  stop(): Promise<void>;
}

export type ReactorOverrides = Partial<Pick<IngestionReactorOptions, 'concurrency' | 'pollIntervalMs' | 'retryDelayMs' | 'settings'>>;

/**
 * The reactors of a process (ingestion, and chunk embedding when Cohere is configured), with the
 * GitHub App clients they call. Without
 * GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY, ingestion jobs fail with `github_not_configured` rather
 * than wait forever.
 */
export async function startReactors(runtime: Runtime, overrides: ReactorOverrides = {}): Promise<Reactors> {
  const github = gitHubAppFromEnv(runtime.config.githubApiUrl);
  const ingestion = new IngestionReactor({
    store: runtime.store,
    pool: runtime.projectorPool,
    checkpoints: runtime.checkpoints,
    github: github?.clients ?? null,
    logger: runtime.logger,
    ...overrides,
    settings: { ...runtime.config.ingestionLimits, ...overrides.settings },
  });
  await ingestion.start();
  // Without COHERE_API_KEY no store embeds: search ranks by full text, as the stores' settings say.
  const embedding = runtime.config.cohere
    ? new ChunkEmbeddingReactor({
        pool: runtime.projectorPool,
        checkpoints: runtime.checkpoints,
        cohere: runtime.config.cohere,
        logger: runtime.logger,
      })
    : null;
  await embedding?.start();
  return {
    async stop() {
      await Promise.all([ingestion.stop(), embedding?.stop()]);
      await github?.cache.close();
    },
  };
}
