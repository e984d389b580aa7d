import { describe, it } from '@jest/globals';
import { specFor } from '#domain/testing';
import type { DocumentEvent, DocumentsIndexed, DocumentsRemoved } from '../document/document.events.js';
import type { RecordDocumentBatch } from './ingestion.commands.js';
import { ingestionDecider } from './ingestion.decider.js';

const spec = specFor(ingestionDecider);
const ref = (batch: number, jobId = 'job-1') => ({
  storeId: 'ws-1_docs',
  organizationId: 'org-1',
  workspaceId: 'ws-1',
  repositoryId: 'repo-1',
  githubRepoId: '42',
  repoFullName: 'acme/docs',
  jobId,
  batch,
  commitSha: 'c0ffee',
  at: '2026-03-01T09:00:00.000Z',
});
const document = (path: string) => ({
  documentId: `doc-${path}`,
  path,
  title: path,
  description: null,
  frontmatter: {},
  content: `# ${path}`,
  contentHash: 'a'.repeat(64),
  blobSha: 'b'.repeat(40),
  previousChunkCount: 0,
  isNew: true,
});
const indexed = (batch: number, ...paths: string[]): DocumentsIndexed['data'] => ({
  ...ref(batch),
  chunking: { chunkMaxTokens: 512, chunkOverlap: 50 },
  documents: paths.map(document),
});
const removed = (batch: number, ...paths: string[]): DocumentsRemoved['data'] => ({
  ...ref(batch),
  documents: paths.map((path) => ({ documentId: `doc-${path}`, path, chunkCount: 1 })),
});
const record = (data: Partial<RecordDocumentBatch['data']>): RecordDocumentBatch => ({
  type: 'RecordDocumentBatch',
  data: { indexed: null, removed: null, ...data },
});
const recorded = (data: Partial<RecordDocumentBatch['data']>): DocumentEvent[] => [
  ...(data.indexed ? [{ type: 'DocumentsIndexed' as const, data: data.indexed }] : []),
  ...(data.removed ? [{ type: 'DocumentsRemoved' as const, data: data.removed }] : []),
];

describe('ingestion decider', () => {
  describe('when the job has recorded no batch', () => {
    it('records batch 0 as documents indexed and removed', () =>
      spec
        .given([])
        .when(record({ indexed: indexed(0, 'a.md'), removed: removed(0, 'old.md') }))
        .then(recorded({ indexed: indexed(0, 'a.md'), removed: removed(0, 'old.md') })));

    it('leaves out a half with no documents', () =>
      spec
        .given([])
        .when(record({ indexed: indexed(0, 'a.md'), removed: removed(0) }))
        .then(recorded({ indexed: indexed(0, 'a.md') })));

    it('refuses a batch that skips ahead', () =>
      spec
        .given([])
        .when(record({ indexed: indexed(1, 'a.md') }))
        .thenThrows('invalid', 'follows batch -1'));

    it('refuses a command naming no batch', () => spec.given([]).when(record({})).thenThrows('invalid'));

    it('refuses halves naming different batches or jobs', () => {
      spec
        .given([])
        .when(record({ indexed: indexed(0, 'a.md'), removed: removed(1, 'b.md') }))
        .thenThrows('invalid', 'same batch');
      spec
        .given([])
        .when(record({ indexed: indexed(0, 'a.md'), removed: { ...removed(0, 'b.md'), jobId: 'job-2' } }))
        .thenThrows('invalid', 'same batch');
    });

    it('refuses a batch with no documents at all', () =>
      spec
        .given([])
        .when(record({ indexed: indexed(0), removed: removed(0) }))
        .thenThrows('invalid', 'empty batch'));
  });

  describe('when batches 0 and 1 are recorded', () => {
    const history = [...recorded({ indexed: indexed(0, 'a.md') }), ...recorded({ removed: removed(1, 'old.md') })];

    it('records batch 2', () =>
      spec
        .given(history)
        .when(record({ indexed: indexed(2, 'b.md') }))
        .then(recorded({ indexed: indexed(2, 'b.md') })));

    it('records nothing for a batch recorded already: a retry or a resumed job', () =>
      spec
        .given(history)
        .when(record({ indexed: indexed(1, 'other.md') }))
        .then([]));
  });
});
