import type { Command } from '../core/event.js';
import type { StoreSettings } from './document-store.events.js';

/** Get-or-create: a store that exists is left as it is (its settings do not drift silently). */
export type EnsureStore = Command<
  'EnsureStore',
  {
    readonly organizationId: string;
    readonly workspaceId: string;
    readonly slug: string;
    readonly settings: StoreSettings;
    readonly at: string;
  }
>;

export type StoreCommand = EnsureStore;
