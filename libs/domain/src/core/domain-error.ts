/**
 * Why a command was refused. The API maps codes to HTTP statuses:
 * not_found → 404, conflict → 409, invalid → 400, refused → 422.
 */
export type DomainErrorCode = 'not_found' | 'conflict' | 'invalid' | 'refused';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
