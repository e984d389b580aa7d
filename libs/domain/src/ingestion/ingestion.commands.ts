import type { Command } from '../core/event.js';
import type { DocumentsIndexed, DocumentsRemoved } from '../document/document.events.js';

/** One batch of an ingestion job: documents indexed and/or removed, recorded once per batch number. */
export type RecordDocumentBatch = Command<
  'RecordDocumentBatch',
  {
    readonly indexed: DocumentsIndexed['data'] | null;
    readonly removed: DocumentsRemoved['data'] | null;
  }
>;

export type IngestionCommand = RecordDocumentBatch;
