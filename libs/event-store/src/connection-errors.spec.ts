import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { EventStoreUnavailableError } from './event-store.port.js';
import { isConnectionError } from './connection-errors.js';

/** A server error as pg raises it: a DatabaseError carrying the SQLSTATE. */
function serverError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

function socketError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`read ${code}`), { code, errno: -104, syscall: 'read' });
}

describe('isConnectionError', () => {
  it.each([
    ['pg_terminate_backend (admin_shutdown)', serverError('57P01', 'terminating connection due to administrator command')],
    ['a server crash (crash_shutdown)', serverError('57P02', 'terminating connection because of crash of another server process')],
    ['a server starting or in recovery (cannot_connect_now)', serverError('57P03', 'the database system is starting up')],
    ['any SQLSTATE of class 08', serverError('08006', 'connection failure')],
    ['a protocol violation (08P01)', serverError('08P01', 'protocol violation')],
    ['a reset socket', socketError('ECONNRESET')],
    ['a write to a closed socket', socketError('EPIPE')],
    ['a refused connection', socketError('ECONNREFUSED')],
    ["pg's socket closed under a query", new Error('Connection terminated unexpectedly')],
    ["pg's socket closed by end()", new Error('Connection terminated')],
    ['a client already broken', new Error('Client has encountered a connection error and is not queryable')],
  ])('is true for %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it('is true through the wrappers that reach the error filter: TypeORM, the event store, a cause chain', () => {
    const lost = serverError('57P01', 'terminating connection due to administrator command');
    expect(isConnectionError(new QueryFailedError('SELECT 1', [], lost))).toBe(true);
    expect(isConnectionError(new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')))).toBe(true);
    expect(isConnectionError(new EventStoreUnavailableError('PostgreSQL event store unavailable', { cause: lost }))).toBe(true);
    expect(isConnectionError(new Error('outer', { cause: new Error('middle', { cause: socketError('ECONNRESET') }) }))).toBe(true);
  });

  it.each([
    ['a unique violation', serverError('23505', 'duplicate key value violates unique constraint')],
    ['a statement timeout (query_canceled)', serverError('57014', 'canceling statement due to statement timeout')],
    ['a syntax error', serverError('42601', 'syntax error at or near "SELEC"')],
    ['a serialization failure', serverError('40001', 'could not serialize access')],
    ['a TypeORM error of a failed statement', new QueryFailedError('SELECT 1', [], serverError('42P01', 'relation "x" does not exist'))],
    ['a message of our own that starts like a lost connection', new Error('Connection terminated by the retry policy')],
    ['a non-error', 'ECONNRESET'],
    ['null', null],
  ])('is false for %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
