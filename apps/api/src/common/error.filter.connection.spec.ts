import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { EventStoreUnavailableError } from '#event-store';
import { createLogger } from '#adapters';
import { ErrorFilter } from './error.filter.js';

/** What the filter answers for `exception`: status, body and headers, as Express would send them. */
function answer(exception: unknown): { status: number; body: unknown; headers: Record<string, string> } {
  const sent = { status: 0, body: undefined as unknown, headers: {} as Record<string, string> };
  const response = {
    setHeader: (name: string, value: string) => void (sent.headers[name] = value),
    status(status: number) {
      sent.status = status;
      return this;
    },
    json: (body: unknown) => void (sent.body = body),
  };
  const request = { method: 'GET', originalUrl: '/v1/orgs/acme/workspaces', headers: {} };
  const host = { switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }) } as unknown as ArgumentsHost;
  new ErrorFilter(createLogger('test', 'silent')).catch(exception, host);
  return sent;
}

function terminated(): pg.DatabaseError {
  const error = new pg.DatabaseError('terminating connection due to administrator command', 0, 'error');
  error.code = '57P01';
  return error;
}

describe('ErrorFilter when the database connection is lost', () => {
  it.each([
    ['a read model query (TypeORM) on a terminated connection', new QueryFailedError('SELECT 1', [], terminated())],
    ['a pool query whose socket closed', new Error('Connection terminated unexpectedly')],
    [
      'a connection refused while the server restarts',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
  ])('answers 503 unavailable with Retry-After for %s, never 500', (_name, error) => {
    expect(answer(error)).toEqual({
      status: 503,
      body: { error: { code: 'unavailable', message: expect.any(String) } },
      headers: { 'Retry-After': '1' },
    });
  });

  it('keeps the event store’s own answer for its wrapped error', () => {
    expect(answer(new EventStoreUnavailableError('PostgreSQL event store unavailable', { cause: terminated() }))).toMatchObject({
      status: 503,
      body: { error: { code: 'unavailable' } },
      headers: { 'Retry-After': '5' },
    });
  });

  it('still answers 500 for a statement that failed on a live connection', () => {
    const failed = new pg.DatabaseError('relation "x" does not exist', 0, 'error');
    failed.code = '42P01';
    expect(answer(new QueryFailedError('SELECT * FROM x', [], failed))).toMatchObject({
      status: 500,
      body: { error: { code: 'internal' } },
    });
  });
});
