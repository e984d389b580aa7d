import { expect } from '@jest/globals';
import type { Command, DomainEvent } from './event.js';
import type { Decider } from './decider.js';
import { fold } from './decider.js';
import { DomainError, type DomainErrorCode } from './domain-error.js';

/**
 * given(history).when(command).then(expectedEvents) / .thenThrows(code). Events are compared deeply
 * (key order does not matter) and a mismatch is reported as Jest's diff of the two event lists.
 */
export function specFor<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return {
    given(history: readonly E[] = []) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, fold(decider, [...history]));
          return {
            then(expected: readonly E[]): void {
              expect(run()).toEqual(expected);
            },
            thenThrows(code: DomainErrorCode, messageIncludes?: string): void {
              let events: readonly E[];
              try {
                events = run();
              } catch (error) {
                expect(error).toBeInstanceOf(DomainError);
                expect((error as DomainError).code).toBe(code);
                if (messageIncludes) expect((error as DomainError).message).toContain(messageIncludes);
                return;
              }
              expect({ threw: false, events }).toEqual({ threw: code });
            },
          };
        },
      };
    },
  };
}
