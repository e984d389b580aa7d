import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '#domain';
import type { ProjectionSpec } from './projection-spec.js';

/**
 * What every projection owes the runner, checked against a history of its own events: the projector
 * may hand it any split of the history into batches (a replay reads big ones, live traffic small
 * ones, a restart repeats or overlaps them), and the rows must come out the same.
 */
export function describeProjectionContract(spec: ProjectionSpec, history: () => readonly RecordedEvent[]): void {
  describe('projection contract', () => {
    it('writes the same rows whether the history comes as one batch (a replay) or one event per batch (live)', async () => {
      const events = history();
      const together = await spec.generation();
      const apart = await spec.generation();
      expect(await together.apply(events)).toBe(events.length);
      for (const event of events) expect(await apart.apply([event])).toBe(1);
      expect(await apart.snapshot()).toEqual(await together.snapshot());
    });

    it('changes nothing when the same batch is applied twice', async () => {
      const events = history();
      const target = await spec.generation();
      await target.apply(events);
      const once = await target.snapshot();
      expect(await target.apply(events)).toBe(0);
      expect(await target.snapshot()).toEqual(once);
      expect((await target.checkpoint())!.eventsProcessed).toBe(events.length);
    });

    it('applies only the events past the checkpoint of a batch that overlaps it', async () => {
      const events = history();
      const half = Math.ceil(events.length / 2);
      const target = await spec.generation();
      const reference = await spec.generation();
      await reference.apply(events);
      expect(await target.apply(events.slice(0, half))).toBe(half);
      expect(await target.apply(events.slice(Math.floor(half / 2)))).toBe(events.length - half);
      expect(await target.snapshot()).toEqual(await reference.snapshot());
      expect((await target.checkpoint())!.eventsProcessed).toBe(events.length);
    });
  });
}
