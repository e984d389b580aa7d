import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { DocumentEvent } from '../document/document.events.js';
import type { IngestionCommand } from './ingestion.commands.js';

/** The `ingestion-<jobId>` stream: how many batches the job has recorded, and their totals. */
export interface IngestionState {
  readonly batches: number;
  readonly indexed: number;
  readonly removed: number;
}

function decide(command: IngestionCommand, state: IngestionState): DocumentEvent[] {
  switch (command.type) {
    case 'RecordDocumentBatch': {
      const { indexed, removed } = command.data;
      const batch = indexed?.batch ?? removed?.batch;
      if (batch === undefined) throw new DomainError('invalid', 'A batch indexes or removes something');
      if (indexed && removed && (indexed.batch !== removed.batch || indexed.jobId !== removed.jobId))
        throw new DomainError('invalid', 'Both halves of a batch name the same batch');
      if (batch < state.batches) return []; // recorded already: a retry or a resumed job
      if (batch > state.batches)
        throw new DomainError('invalid', `Batch ${batch} follows batch ${state.batches - 1}`, { expected: state.batches });
      const events: DocumentEvent[] = [];
      if (indexed && indexed.documents.length > 0) events.push({ type: 'DocumentsIndexed', data: indexed });
      if (removed && removed.documents.length > 0) events.push({ type: 'DocumentsRemoved', data: removed });
      if (events.length === 0) throw new DomainError('invalid', 'An empty batch is not recorded');
      return events;
    }
    default:
      return assertNever(command.type);
  }
}

function evolve(state: IngestionState, event: DocumentEvent): IngestionState {
  switch (event.type) {
    case 'DocumentsIndexed':
      return {
        batches: Math.max(state.batches, event.data.batch + 1),
        indexed: state.indexed + event.data.documents.length,
        removed: state.removed,
      };
    case 'DocumentsRemoved':
      return {
        batches: Math.max(state.batches, event.data.batch + 1),
        indexed: state.indexed,
        removed: state.removed + event.data.documents.length,
      };
    default:
      return assertNever(event);
  }
}

export const ingestionDecider: Decider<IngestionCommand, DocumentEvent, IngestionState> = {
  decide,
  evolve,
  initialState: () => ({ batches: 0, indexed: 0, removed: 0 }),
};
