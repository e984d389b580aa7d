import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../common/api-error.js';

export interface RepositoryRow {
  id: string;
  organization_id: string;
  github_repo_id: string;
  github_installation_id: string;
  workspace_id: string | null;
  is_active: boolean;
  config_status: string;
  config_path: string | null;
  config: unknown;
  config_error: string | null;
  config_detected_at: Date | null;
  metadata: Record<string, unknown>;
  connected_at: Date;
  last_synced_at: Date | null;
  document_count: number;
  last_ingested_at: Date | null;
  active_job_id: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toRepositoryView = (r: RepositoryRow) => ({
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

@Injectable()
export class RepositoryQueries {
  constructor(@Inject(READ_DATABASE) private readonly database: DataSource) {}

  async list(organizationId: string, includeInactive: boolean) {
    const rows: RepositoryRow[] = await this.database.query(
      `SELECT * FROM repositories WHERE organization_id = $1 ${includeInactive ? '' : 'AND is_active'} ORDER BY connected_at DESC, id`,
      [organizationId],
    );
    return rows.map(toRepositoryView);
  }

  /** Another organization's repository is answered like a missing one. */
  async row(organizationId: string, id: string): Promise<RepositoryRow> {
    const rows: RepositoryRow[] = await this.database.query('SELECT * FROM repositories WHERE id = $1 AND organization_id = $2', [id, organizationId]);
    if (!rows[0]) throw notFound('Repository');
    return rows[0];
  }
}
