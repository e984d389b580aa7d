import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { EventStoreUnavailableError } from '#event-store';
import { retryingConnectionLoss, rootMessage } from './connection-retry.js';

const terminated = () => {
  const error = new pg.DatabaseError('terminating connection due to administrator command', 0, 'error');
  error.code = '57P01';
  return new EventStoreUnavailableError('PostgreSQL event store unavailable', { cause: error });
};

/** Work that fails with the given errors in turn, then answers `done`. */
function failing(...errors: Error[]) {
  let calls = 0;
  return {
    work: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return 'done';
    },
    calls: () => calls,
  };
}

describe('retryingConnectionLoss', () => {
  it('retries work whose connection was lost until it succeeds, and reports the outage once, in the driver’s words', async () => {
    const outages: string[] = [];
    const { work, calls } = failing(terminated(), terminated());

    await expect(retryingConnectionLoss(60_000, (reason) => outages.push(reason))(work)).resolves.toBe('done');

    expect(calls()).toBe(3);
    expect(outages).toEqual(['terminating connection due to administrator command']);
  });

  it('does not retry an error of the work itself', async () => {
    const { work, calls } = failing(new Error('duplicate key value violates unique constraint'));

    await expect(retryingConnectionLoss(60_000)(work)).rejects.toThrow('duplicate key');
    expect(calls()).toBe(1);
  });

  it('gives up with the connection error once the outage outlasts its budget', async () => {
    const { work, calls } = failing(...Array.from({ length: 50 }, terminated));

    await expect(retryingConnectionLoss(150)(work)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(calls()).toBeGreaterThanOrEqual(2);
    expect(calls()).toBeLessThan(50);
  });

  it('counts the budget per outage: a success in between starts a new one', async () => {
    const retrying = retryingConnectionLoss(150);
    const outages: number[] = [];
    for (let round = 0; round < 3; round++) {
      const { work, calls } = failing(terminated(), terminated());
      await expect(retrying(work)).resolves.toBe('done');
      outages.push(calls());
    }
    expect(outages).toEqual([3, 3, 3]);
  });
});

describe('rootMessage', () => {
  it('names the innermost cause', () => {
    expect(rootMessage(terminated())).toBe('terminating connection due to administrator command');
    expect(rootMessage('plain')).toBe('plain');
  });
});
