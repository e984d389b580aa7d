import { formatPosition } from '#event-store';
import { fold, type Command, type Decider, type DomainEvent, type RecordedEvent } from '#domain';

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

  /**
   * Appends what `decider` decides for `command` on the stream's events so far. For histories that
   * read best as the commands that made them; the events are what the projection is fed.
   */
  decide<C extends Command, E extends DomainEvent, S>(streamId: string, decider: Decider<C, E, S>, command: C): RecordedEvent[] {
    const stream: DomainEvent[] = this.recorded.filter((event) => event.streamId === streamId);
    // Only this decider's events are on its stream, so they are its E.
    return this.append(streamId, ...decider.decide(command, fold(decider, stream as E[])));
  }

  get events(): readonly RecordedEvent[] {
    return this.recorded;
  }
}

// The time the event itself states, so `last_event_at` style columns read as in production.
function recordedAtOf(event: DomainEvent): string | undefined {
  const data = event.data as Record<string, unknown>;
  for (const field of ['at', 'occurredAt', 'createdAt', 'updatedAt', 'usedAt', 'receivedAt']) if (typeof data[field] === 'string') return data[field];
  return undefined;
}
