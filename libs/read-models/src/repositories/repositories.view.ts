import type { RepositoryRow } from './repositories.table.js';

export interface RepositoryView {
  readonly id: string;
  readonly clerkOrgId: string;
  readonly githubRepoId: string;
  readonly githubInstallationId: string;
  readonly workspaceId: string | null;
  readonly isActive: boolean;
  readonly configStatus: string;
  readonly configPath: string | null;
  readonly config: unknown;
  readonly configError: string | null;
  readonly configDetectedAt: string | null;
  readonly metadata: Record<string, unknown>;
  readonly connectedAt: string;
  readonly lastSyncedAt: string | null;
  readonly documentCount: number;
  readonly lastIngestedAt: string | null;
  readonly activeJobId: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toRepositoryView = (r: RepositoryRow): RepositoryView => ({
  id: r.id,
  clerkOrgId: r.organization_id,
  githubRepoId: r.github_repo_id,
  githubInstallationId: r.github_installation_id,
  workspaceId: r.workspace_id,
  isActive: r.is_active,
  configStatus: r.config_status,
  configPath: r.config_path,
  config: r.config,
  configError: r.config_error,
  configDetectedAt: iso(r.config_detected_at),
  metadata: r.metadata,
  connectedAt: r.connected_at.toISOString(),
  lastSyncedAt: iso(r.last_synced_at),
  documentCount: r.document_count,
  lastIngestedAt: iso(r.last_ingested_at),
  activeJobId: r.active_job_id,
});
