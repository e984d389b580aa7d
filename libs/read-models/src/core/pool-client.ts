import type pg from 'pg';

/**
 * A pool client that may lose its backend while checked out (a failover, `pg_terminate_backend`).
 * pg then emits 'error' on the client, even after the query in flight has already rejected, and
 * with no listener that would crash the process. With this one, the pending or next query rejects
 * and `release` drops the broken client from the pool. `onLost` lets a holder of session state
 * react at once: a session's advisory locks are gone with it.
 */
export async function checkoutClient(pool: pg.Pool, onLost?: (error: Error) => void): Promise<pg.PoolClient> {
  const client = await pool.connect();
  let lost = false;
  const listener = (error: Error) => {
    if (lost) return;
    lost = true;
    onLost?.(error);
  };
  client.on('error', listener);
  const release = client.release.bind(client);
  client.release = (destroy?: boolean | Error) => {
    client.off('error', listener);
    return release(destroy || lost);
  };
  return client;
}
