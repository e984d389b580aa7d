import { HttpException, HttpStatus } from '@nestjs/common';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** Every error leaves the API as `{ error: { code, message, details? } }`; `headers` go with it (`Retry-After`). */
export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    code: string,
    message: string,
    details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super({ error: { code, message, ...(details === undefined ? {} : { details }) } } satisfies ApiErrorBody, status);
  }
}

export const notFound = (what: string) => new ApiError(HttpStatus.NOT_FOUND, 'not_found', `${what} not found`);
export const forbidden = (message: string) => new ApiError(HttpStatus.FORBIDDEN, 'forbidden', message);
export const badRequest = (field: string, message: string) =>
  new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', `${field}: ${message}`, { fields: [{ field, messages: [message] }] });
