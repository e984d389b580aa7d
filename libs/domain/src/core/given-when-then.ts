import type { Command, DomainEvent } from './event.js';
import type { Decider } from './decider.js';
import { fold } from './decider.js';
import { DomainError, type DomainErrorCode } from './domain-error.js';

/**
 * given(history).when(command).then(expectedEvents) / .thenThrows(code). Framework-free: it throws
 * an `Error` describing the mismatch, so it works under any test runner.
 */
export function specFor<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return {
    given(history: E[] = []) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, fold(decider, history));
          return {
            then(expected: E[]): void {
              const actual = run();
              const a = JSON.stringify(actual);
              const b = JSON.stringify(expected);
              if (a !== b) throw new Error(`expected events\n  ${b}\nbut got\n  ${a}`);
            },
            thenThrows(code: DomainErrorCode, messageIncludes?: string): void {
              let events: E[];
              try {
                events = run();
              } catch (error) {
                if (!(error instanceof DomainError)) throw error;
                if (error.code !== code) throw new Error(`expected DomainError '${code}' but got '${error.code}': ${error.message}`);
                if (messageIncludes && !error.message.includes(messageIncludes)) {
                  throw new Error(`expected message to include '${messageIncludes}' but got '${error.message}'`);
                }
                return;
              }
              throw new Error(`expected DomainError '${code}' but the command produced ${JSON.stringify(events)}`);
            },
          };
        },
      };
    },
  };
}
