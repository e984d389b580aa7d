import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import { storeSlugErrors } from '../repository/lightfast-config.js';
import type { StoreCommand } from './document-store.commands.js';
import { storeIdFor, type StoreCreated, type StoreEvent } from './document-store.events.js';

export type StoreState = { readonly status: 'none' } | { readonly status: 'created'; readonly store: StoreCreated['data'] };

const INDEX_NAME_MAX_LENGTH = 45;

/** `<workspace>-<slug>`, sanitised and at most 45 characters, as the original named its Pinecone index. */
export function storeIndexName(workspaceId: string, slug: string): string {
  const name = `${workspaceId}-${slug}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return name.length <= INDEX_NAME_MAX_LENGTH ? name : name.slice(0, INDEX_NAME_MAX_LENGTH);
}

function decide(command: StoreCommand, state: StoreState): StoreEvent[] {
  switch (command.type) {
    case 'EnsureStore': {
      const { organizationId, workspaceId, slug, settings, at } = command.data;
      if (state.status === 'created') {
        if (state.store.organizationId !== organizationId) throw new DomainError('not_found', 'Store not found');
        return [];
      }
      const errors = storeSlugErrors(slug);
      if (errors.length > 0) throw new DomainError('invalid', errors.join('; '), { field: 'slug' });
      return [
        {
          type: 'StoreCreated',
          data: {
            storeId: storeIdFor(workspaceId, slug),
            organizationId,
            workspaceId,
            slug,
            indexName: storeIndexName(workspaceId, slug),
            settings,
            createdAt: at,
          },
        },
      ];
    }
    default:
      return assertNever(command.type);
  }
}

function evolve(state: StoreState, event: StoreEvent): StoreState {
  switch (event.type) {
    case 'StoreCreated':
      return state.status === 'created' ? state : { status: 'created', store: event.data };
    default:
      return assertNever(event.type);
  }
}

export const storeDecider: Decider<StoreCommand, StoreEvent, StoreState> = { decide, evolve, initialState: () => ({ status: 'none' }) };
