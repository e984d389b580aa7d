import { describe, expect, it } from '@jest/globals';
import { specFor } from '#domain/testing';
import type { EnsureStore } from './document-store.commands.js';
import { storeDecider, storeIndexName } from './document-store.decider.js';
import { DEFAULT_STORE_SETTINGS, type StoreCreated } from './document-store.events.js';

const spec = specFor(storeDecider);
const at = '2026-03-01T09:00:00.000Z';
const ensure = (slug: string, organizationId = 'org-1', settings = DEFAULT_STORE_SETTINGS): EnsureStore => ({
  type: 'EnsureStore',
  data: { organizationId, workspaceId: 'ws-1', slug, settings, at },
});
const created: StoreCreated = {
  type: 'StoreCreated',
  data: {
    storeId: 'ws-1_docs',
    organizationId: 'org-1',
    workspaceId: 'ws-1',
    slug: 'docs',
    indexName: 'ws-1-docs',
    settings: DEFAULT_STORE_SETTINGS,
    createdAt: at,
  },
};

describe('document store decider', () => {
  describe('when no store has the slug', () => {
    it('creates it with its id and index name derived from the workspace and slug', () =>
      spec.given([]).when(ensure('docs')).then([created]));

    it('refuses a slug the configuration rules reject', () => spec.given([]).when(ensure('Bad--Slug')).thenThrows('invalid', 'store:'));
  });

  describe('when the store exists', () => {
    it('records nothing, even when other settings are asked for: settings never drift silently', () =>
      spec
        .given([created])
        .when(ensure('docs', 'org-1', { ...DEFAULT_STORE_SETTINGS, embeddingProvider: 'none' }))
        .then([]));

    it('answers not found to another organization, so a store id reveals nothing', () =>
      spec.given([created]).when(ensure('docs', 'org-2')).thenThrows('not_found'));
  });

  describe('index names', () => {
    it('lowercases and replaces what an index name cannot hold', () => expect(storeIndexName('WS_1', 'docs')).toBe('ws-1-docs'));

    it('cuts names at 45 characters', () => expect(storeIndexName('w'.repeat(40), 'handbook')).toBe(`${'w'.repeat(40)}-hand`));
  });
});
