import type { Command, DomainEvent } from './event.js';

/**
 * A pure decision function pair. `decide` throws a `DomainError` when the command is refused;
 * `evolve` is total and never throws, so any stored history can always be folded.
 */
export interface Decider<C extends Command, E extends DomainEvent, S> {
  readonly decide: (command: C, state: S) => E[];
  readonly evolve: (state: S, event: E) => S;
  readonly initialState: () => S;
}

export function fold<E extends DomainEvent, S>(decider: Pick<Decider<never, E, S>, 'evolve' | 'initialState'>, events: readonly E[]): S {
  return events.reduce(decider.evolve, decider.initialState());
}

/** Compile-time exhaustiveness: a new union member that is not handled fails to type-check. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled variant: ${JSON.stringify(value)}`);
}
