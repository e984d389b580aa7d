import { formatPosition } from '#event-store';
import type { DomainEvent, RecordedEvent } from '#domain';

/**
 * Events as a store would hand them to a projection, without a store: each append gets the next
 * position and its stream's next revision, so a projection spec states its history as plain events.
 */
export class EventLog {
  private readonly recorded: RecordedEvent[] = [];
  private readonly revisions = new Map<string, bigint>();

  append(streamId: string, ...events: readonly DomainEvent[]): RecordedEvent[] {
    return events.map((event) => {
      const revision = this.revisions.get(streamId) ?? 0n;
      this.revisions.set(streamId, revision + 1n);
      const sequence = this.recorded.length + 1;
      const recorded: RecordedEvent = {
        ...event,
        id: `event-${sequence}`,
        streamId,
        revision,
        position: formatPosition({ major: BigInt(sequence), minor: 0n }),
        recordedAt: recordedAtOf(event) ?? new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
        metadata: {},
      };
      this.recorded.push(recorded);
      return recorded;
    });
  }

  get events(): readonly RecordedEvent[] {
    return this.recorded;
  }
}

// The time the event itself states, so `last_event_at` style columns read as in production.
function recordedAtOf(event: DomainEvent): string | undefined {
  const data = event.data as Record<string, unknown>;
  for (const field of ['at', 'occurredAt', 'createdAt', 'updatedAt', 'usedAt', 'receivedAt'])
    if (typeof data[field] === 'string') return data[field];
  return undefined;
}
