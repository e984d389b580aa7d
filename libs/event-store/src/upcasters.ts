import type { RecordedEvent } from '#domain';

/**
 * Upcasters run in exactly one place, on the read path of every adapter, so aggregates and
 * projections only ever see the current shape of an event. Keyed by the stored `type`.
 */
export type Upcaster = (event: RecordedEvent) => RecordedEvent;
export type Upcasters = Readonly<Record<string, Upcaster>>;

export function upcast(upcasters: Upcasters | undefined, event: RecordedEvent): RecordedEvent {
  const upcaster = upcasters?.[event.type];
  return upcaster ? upcaster(event) : event;
}
