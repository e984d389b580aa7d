import { ArgumentsHost, Catch, HttpException, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '#domain';
import { CommandIdReusedError, EventStoreUnavailableError, WrongExpectedRevisionError, isConnectionError } from '#event-store';
import { ConsistencyTimeoutError } from '#read-models';
import { isStatementTimeout, type Logger } from '#adapters';
import { ApiError, type ApiErrorBody } from './api-error.js';

const DOMAIN_STATUS: Record<DomainError['code'], number> = {
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  invalid: HttpStatus.BAD_REQUEST,
  refused: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** Maps everything thrown below a controller to one error shape; only real faults become a 500. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const [status, body, headers] = this.describe(exception);
    if (status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE) {
      this.logger.error(
        { err: exception, method: request.method, url: request.originalUrl, requestId: request.headers['x-request-id'] },
        'request failed',
      );
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private describe(exception: unknown): [number, ApiErrorBody, Record<string, string>] {
    if (exception instanceof DomainError) {
      return [
        DOMAIN_STATUS[exception.code],
        { error: { code: exception.code, message: exception.message, ...(exception.details ? { details: exception.details } : {}) } },
        {},
      ];
    }
    if (exception instanceof WrongExpectedRevisionError) {
      return [
        HttpStatus.CONFLICT,
        { error: { code: 'version_conflict', message: 'The resource was changed concurrently; retry the request' } },
        {},
      ];
    }
    if (exception instanceof CommandIdReusedError) {
      return [
        HttpStatus.UNPROCESSABLE_ENTITY,
        {
          error: {
            code: 'idempotency_key_reused',
            message: 'This Idempotency-Key was already used for a different request (another route or body); use a new key',
          },
        },
        {},
      ];
    }
    if (exception instanceof ConsistencyTimeoutError) {
      // No position in the answer: where the log or a projection stands is not the caller's to see.
      return [
        HttpStatus.SERVICE_UNAVAILABLE,
        {
          error: {
            code: 'not_yet_consistent',
            message: `The ${exception.projection} read model has not caught up yet; retry shortly`,
            details: { projection: exception.projection },
          },
        },
        { 'Retry-After': '1' },
      ];
    }
    if (exception instanceof EventStoreUnavailableError) {
      return [
        HttpStatus.SERVICE_UNAVAILABLE,
        { error: { code: 'unavailable', message: 'The event store is unavailable' } },
        { 'Retry-After': '5' },
      ];
    }
    if (isConnectionError(exception)) {
      // The database connection was lost (a failover, a terminated backend): what was in flight may
      // or may not have committed; a retry with the same Idempotency-Key is safe. Pools reconnect.
      return [
        HttpStatus.SERVICE_UNAVAILABLE,
        { error: { code: 'unavailable', message: 'The database connection was lost; retry shortly' } },
        { 'Retry-After': '1' },
      ];
    }
    if (isStatementTimeout(exception)) {
      // Cancelled by API_STATEMENT_TIMEOUT_MS (logged with its statement name where it ran): the
      // database is overloaded or a lookup lost its index; a bounded answer instead of a held request.
      return [
        HttpStatus.SERVICE_UNAVAILABLE,
        { error: { code: 'query_timeout', message: 'The database took too long to answer and the query was cancelled; retry shortly' } },
        { 'Retry-After': '5' },
      ];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (
        typeof response === 'object' &&
        response !== null &&
        'error' in response &&
        typeof (response as ApiErrorBody).error === 'object'
      ) {
        return [status, response as ApiErrorBody, exception instanceof ApiError ? exception.headers : {}];
      }
      const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
      return [status, { error: { code: codeFor(status), message } }, {}];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: { code: 'internal', message: 'Internal error' } }, {}];
  }
}

function codeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    default:
      return `http_${status}`;
  }
}
