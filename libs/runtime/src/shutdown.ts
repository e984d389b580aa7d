import type { Logger } from '#adapters';

/** Runs the closers in order on SIGINT/SIGTERM, once; a second signal exits at once. */
export function onShutdown(logger: Logger, ...closers: Array<() => Promise<unknown>>): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    for (const close of closers) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
}
