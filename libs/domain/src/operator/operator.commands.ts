import type { Command } from '../core/event.js';

interface DeadLetterRef {
  readonly deadLetterId: string;
  readonly projection: string;
  readonly generation: number;
  readonly eventId: string;
  readonly eventPosition: string;
  readonly by: string;
  readonly at: string;
}

/** The retry was attempted (its outcome is the I/O's, decided outside); this records it, or refuses a resolved letter. */
export type RecordDeadLetterRetry = Command<
  'RecordDeadLetterRetry',
  DeadLetterRef & { readonly outcome: 'applied' | 'failed'; readonly error: string | null }
>;
export type SkipDeadLetter = Command<'SkipDeadLetter', DeadLetterRef>;
export type DeadLetterCommand = RecordDeadLetterRetry | SkipDeadLetter;

export type RequestProjectionRebuild = Command<
  'RequestProjectionRebuild',
  { readonly projection: string; readonly requestId: string; readonly requestedBy: string; readonly requestedAt: string }
>;
export type CompleteProjectionRebuild = Command<
  'CompleteProjectionRebuild',
  {
    readonly projection: string;
    readonly requestId: string;
    readonly fromGeneration: number;
    readonly toGeneration: number;
    readonly events: number;
    readonly seconds: number;
    readonly at: string;
  }
>;
export type FailProjectionRebuild = Command<
  'FailProjectionRebuild',
  { readonly projection: string; readonly requestId: string; readonly error: string; readonly at: string }
>;
export type ProjectionRebuildCommand = RequestProjectionRebuild | CompleteProjectionRebuild | FailProjectionRebuild;
