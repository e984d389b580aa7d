import type { WorkspaceSettings } from '#domain';
import type { RepositoryRow } from '../repositories/repositories.table.js';
import type { WorkspaceRow } from './workspaces.table.js';

export interface WorkspaceView {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly isDefault: boolean;
  /** The original's `WorkspaceSettings`; `{}` until changed. */
  readonly settings: WorkspaceSettings;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly clerkOrgId: string;
}

export interface WorkspaceRepositorySummary {
  readonly id: string;
  readonly configStatus: string;
  readonly metadata: Record<string, unknown>;
  readonly lastSyncedAt: string | null;
  readonly lastIngestedAt: string | null;
  readonly documentCount: number;
}

/** A workspace list item, with the original's repository fields. */
export interface WorkspaceSummary extends WorkspaceView {
  readonly repositories: readonly WorkspaceRepositorySummary[];
  /** All its active repositories; `repositories` shows the first three. */
  readonly repositoryCount: number;
  readonly totalDocuments: number;
  /** Creation time of the newest job, or of the workspace when it has none. */
  readonly lastActivity: string;
}

export const toWorkspaceView = (row: WorkspaceRow): WorkspaceView => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  isDefault: row.is_default,
  settings: row.settings,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  clerkOrgId: row.organization_id,
});

export type RepositorySummaryRow = Pick<
  RepositoryRow,
  'id' | 'config_status' | 'metadata' | 'last_synced_at' | 'last_ingested_at' | 'document_count'
>;

export const toRepositorySummary = (row: RepositorySummaryRow): WorkspaceRepositorySummary => ({
  id: row.id,
  configStatus: row.config_status,
  metadata: row.metadata,
  lastSyncedAt: row.last_synced_at?.toISOString() ?? null,
  lastIngestedAt: row.last_ingested_at?.toISOString() ?? null,
  documentCount: row.document_count,
});
