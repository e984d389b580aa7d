import { EventStoreUnavailableError, isConnectionError } from '#event-store';

/** The database could not be reached or the connection broke: the work may be retried. */
export const isConnectionLost = (error: unknown): boolean => error instanceof EventStoreUnavailableError || isConnectionError(error);

/** The driver's own words ("terminating connection due to administrator command"), not a wrapper's. */
export function rootMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

export type Retrying = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * Retries work that failed because the connection was lost, with backoff, until the database has
 * been unreachable for `budgetMs` (from the first failure of the current outage; any success ends
 * it); then the last error is thrown. The work must be safe to repeat: its first attempt may have
 * committed without the answer arriving. `onOutage` is told once an outage, not once an attempt.
 */
export function retryingConnectionLoss(budgetMs: number, onOutage?: (reason: string) => void): Retrying {
  let outageSince: number | null = null;
  return async <T>(work: () => Promise<T>): Promise<T> => {
    for (let delayMs = 100; ; delayMs = Math.min(2000, delayMs * 2)) {
      try {
        const result = await work();
        outageSince = null;
        return result;
      } catch (error) {
        if (!isConnectionLost(error)) throw error;
        if (outageSince === null) {
          outageSince = Date.now();
          onOutage?.(rootMessage(error));
        }
        if (Date.now() - outageSince > budgetMs) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs)); // backoff while the server comes back
      }
    }
  };
}
