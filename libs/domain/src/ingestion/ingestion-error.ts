/**
 * A failure of the job itself (a bad config, a tree too large, GitHub refusing): recorded as
 * `JobFailed` with this code. Not a `DomainError`: a refused command means the job ended meanwhile.
 */
export class IngestionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'IngestionError';
  }
}
