import type { RecordedEvent } from '#domain';
import { START, type EventStore } from '#event-store';

/** One event as an NDJSON line: everything stored, nothing abbreviated. */
export function eventJson(event: RecordedEvent): string {
  return JSON.stringify({
    position: event.position,
    recordedAt: event.recordedAt,
    streamId: event.streamId,
    revision: Number(event.revision),
    type: event.type,
    id: event.id,
    data: event.data,
    metadata: event.metadata,
  });
}

const SUMMARY_VALUE_LENGTH = 40;

function summaryValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `[${value.length}]`;
  if (typeof value === 'object') return '{…}';
  const text = typeof value === 'string' ? (/[\s"=;]/.test(value) || value === '' ? JSON.stringify(value) : value) : String(value);
  return text.length > SUMMARY_VALUE_LENGTH ? `${text.slice(0, SUMMARY_VALUE_LENGTH - 1)}…` : text;
}

/** `key=value …` over the top-level fields, nested objects and arrays abbreviated; at most `maxLength` characters. */
export function summarizeData(data: unknown, maxLength = 120): string {
  if (data === null || typeof data !== 'object') return summaryValue(data);
  const text = Object.entries(data as Record<string, unknown>)
    .map(([key, value]) => `${key}=${summaryValue(value)}`)
    .join(' ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** `position  recorded at  stream@revision  type  data summary` on one line. */
export function formatEvent(event: RecordedEvent): string {
  return [event.position, event.recordedAt, `${event.streamId}@${event.revision}`, event.type, summarizeData(event.data)].join('  ');
}

export interface TailOptions {
  readonly limit: number;
  readonly types?: readonly string[];
  /** Keep delivering events appended after the newest ones, until the signal is aborted. */
  readonly follow: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent: (event: RecordedEvent) => void;
}

/**
 * The log's `limit` newest events (of `types`), oldest first, then (with `follow`) every event
 * appended after the newest of them, through the store's subscription. Returns how many events
 * were delivered.
 */
export async function tailEvents(store: EventStore, options: TailOptions): Promise<number> {
  const types = options.types && options.types.length > 0 ? options.types : undefined;
  const newest = (await store.readBackward({ limit: options.limit, eventTypes: types })).reverse();
  let delivered = 0;
  const deliver = (event: RecordedEvent) => {
    delivered++;
    options.onEvent(event);
  };
  newest.forEach(deliver);
  if (!options.follow || options.signal?.aborted) return delivered;
  // From the newest event shown (none: from the start, which then holds none of these types yet).
  const subscription = store.subscribe({ after: newest.at(-1)?.position ?? START, eventTypes: types });
  const close = () => void subscription.close();
  options.signal?.addEventListener('abort', close, { once: true });
  try {
    for await (const batch of subscription) batch.events.forEach(deliver);
  } finally {
    options.signal?.removeEventListener('abort', close);
    await subscription.close();
  }
  return delivered;
}

export class StreamNotFoundError extends Error {
  constructor(readonly streamId: string) {
    super(
      `stream "${streamId}" not found: no event is stored under that id. Stream ids are <kind>-<id> (e.g. job-<jobId>, store-<storeId>, organization-<organizationId>); \`npm run console -- events tail\` shows the streams of the newest events`,
    );
    this.name = 'StreamNotFoundError';
  }
}

/** Every event of one stream, in revision order; StreamNotFoundError when it holds none. */
export async function streamEvents(store: EventStore, streamId: string): Promise<RecordedEvent[]> {
  const events = await store.readStream(streamId);
  if (events.length === 0) throw new StreamNotFoundError(streamId);
  return events;
}

/**
 * `events tail | head`: a reader that has gone away ends the command quietly, as it ends `cat`,
 * not with an EPIPE stack. Exiting is safe: an embedded server started for the command is stopped
 * by its exit hook, and nothing is written.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}
