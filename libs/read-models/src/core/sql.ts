import type pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The one way query classes reach the read database: run a parameterized statement, get its rows.
 * Narrow on purpose, so the same query class serves the api (its TypeORM pool), the projector's
 * reactors (a pg pool) and the specs, and never holds a connection between statements.
 */
export type Sql = <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) => Promise<R[]>;

export const sqlOnDataSource =
  (dataSource: DataSource): Sql =>
  (text, params) =>
    dataSource.query(text, params ? [...params] : undefined);

export const sqlOnPool =
  (pool: Pick<pg.Pool, 'query'>): Sql =>
  async <R>(text: string, params?: readonly unknown[]) =>
    (await pool.query(text, params ? [...params] : undefined)).rows as R[];
