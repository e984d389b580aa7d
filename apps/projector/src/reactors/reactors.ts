import { gitHubAppFromEnv } from '#adapters';
import type { Runtime } from '#runtime';
import { IngestionReactor, type IngestionReactorOptions } from './ingestion/ingestion.reactor.js';

export interface Reactors {
  stop(): Promise<void>;
}

export type ReactorOverrides = Partial<Pick<IngestionReactorOptions, 'concurrency' | 'pollIntervalMs' | 'retryDelayMs' | 'settings'>>;

/**
 * The reactors of a process (today: ingestion), with the GitHub App clients they call. Without
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
  return {
    async stop() {
      await ingestion.stop();
      await github?.cache.close();
    },
  };
}
