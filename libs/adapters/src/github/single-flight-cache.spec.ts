import { describe, expect, it } from '@jest/globals';
import { InProcessCache } from './cache.js';
import { SingleFlightCache } from './single-flight-cache.js';

describe('single-flight cache', () => {
  it('runs one load for concurrent callers of a key, and none within the TTL', async () => {
    const cache = new SingleFlightCache(new InProcessCache());
    let loads = 0;
    const load = async () => (loads++, [1, 2, 3]);

    const results = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad('k', 60_000, load)));
    await cache.getOrLoad('k', 60_000, load);

    expect(results.every((result) => result.length === 3)).toBe(true);
    expect(loads).toBe(1);
  });

  it('shares a failure with the callers waiting on it, and does not keep it', async () => {
    const cache = new SingleFlightCache(new InProcessCache());
    let loads = 0;
    const failing = async () => {
      loads++;
      throw new Error('GitHub is down');
    };

    const settled = await Promise.allSettled([cache.getOrLoad('k', 60_000, failing), cache.getOrLoad('k', 60_000, failing)]);

    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    await expect(cache.getOrLoad('k', 60_000, async () => 'recovered')).resolves.toBe('recovered');
  });

  it('hands out copies, so a caller changing its result cannot change the cache', async () => {
    const cache = new SingleFlightCache(new InProcessCache());
    await cache.getOrLoad('k', 60_000, async () => ({ names: ['a'] }));

    (await cache.getOrLoad('k', 60_000, async () => ({ names: [] as string[] }))).names.push('b');

    expect(await cache.getOrLoad('k', 60_000, async () => ({ names: [] as string[] }))).toEqual({ names: ['a'] });
  });
});
