import { IngestionError } from '#domain';
import { EventStoreUnavailableError, WrongExpectedRevisionError, isConnectionError } from '#event-store';

/** The reactor is stopping: the job stays running and is resumed by the next reactor. */
export class IngestionInterrupted extends Error {
  constructor() {
    super('Ingestion interrupted by shutdown');
    this.name = 'IngestionInterrupted';
  }
}

/**
 * Failures of our own infrastructure (event store, read-model database, shutdown, a concurrent
 * writer) do not fail the job: it stays running and resumes. Everything else — GitHub answering an
 * error after its retries, an invalid config, a file that cannot be read — is the job's failure.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof IngestionInterrupted || error instanceof EventStoreUnavailableError || error instanceof WrongExpectedRevisionError)
    return true;
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (typeof severity === 'string' && typeof code === 'string') return true; // a PostgreSQL error
  return isConnectionError(error);
}

export function errorCode(error: unknown): string | null {
  if (error instanceof IngestionError) return error.code;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? `github_${status}` : null;
}
