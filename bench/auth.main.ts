import 'reflect-metadata';
import { benchAuthentication } from './auth.bench.js';
import { benchDatabase } from './support.js';

/**
 * Authentication overhead on its own: `node dist/bench/auth.main.js` after a build. A fresh database
 * on DATABASE_URL's server (an embedded one when unset). BENCH_AUTH_ITERATIONS sets the timed runs
 * per row (default 2000).
 */
const log = (line: string) => process.stdout.write(`${line}\n`);
const iterations = process.env.BENCH_AUTH_ITERATIONS ? Number(process.env.BENCH_AUTH_ITERATIONS) : undefined;
const started = Date.now();
const database = await benchDatabase();
try {
  await benchAuthentication(database.url, { iterations, log });
} finally {
  await database.drop();
}
log(`auth bench finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
