import { ErrorType, isCommandError, type StreamNotFoundError, type WrongExpectedVersionError } from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../event-store.port.js';

/*
 * Errors after which the same call can succeed later: the node is down or unreachable, the call
 * timed out, the server cancelled it (shutdown, dropped subscription) or the node lost leadership.
 * Retrying an append is safe because event ids are deterministic and the expected revision is exact.
 */
const TRANSIENT: ReadonlySet<string> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.CANCELLED,
  ErrorType.NOT_LEADER,
]);
const GRPC_UNAVAILABLE = 14;

export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isCommandError(error)) return TRANSIENT.has(error.type);
  // Unconverted gRPC statuses exist: with no server, `appendToStream` rejects with the raw
  // UNAVAILABLE of its server-features lookup. Cluster discovery gives up with a plain Error.
  return (error as { code?: unknown }).code === GRPC_UNAVAILABLE || error.message.startsWith('Failed to discover after');
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof Error && isCommandError(error) && error.type === ErrorType.WRONG_EXPECTED_VERSION;
}

export function isStreamNotFound(error: unknown): error is StreamNotFoundError {
  return error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND;
}

export function toStoreError(error: unknown, operation: string): unknown {
  return isTransient(error) ? new EventStoreUnavailableError(`EventStoreDB unavailable during ${operation}`, { cause: error }) : error;
}
