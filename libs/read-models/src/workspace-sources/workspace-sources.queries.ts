import type { Sql } from '../core/sql.js';

/**
 * A GitHub repository a workspace reads from: connected to it through `repository.connect`
 * (`repositories`), through `integration.workspace.connect` (`workspace_integrations`), or both.
 * One entry per GitHub repository either way, since documents are keyed by the GitHub repository.
 */
export interface WorkspaceSource {
  /** The repository id when there is a connected repository (jobs name it), else the resource id. */
  readonly id: string;
  readonly type: 'github';
  readonly displayName: string;
  readonly githubRepoId: string;
  readonly repositoryId: string | null;
  readonly resourceId: string | null;
  /** The workspace's documents from this repository, over all its stores. */
  readonly documentCount: number;
  /** The same by store id (stores without any document from it are left out). */
  readonly documentsByStore: Readonly<Record<string, number>>;
  readonly connectedAt: string;
  readonly lastSyncedAt: string | null;
  readonly lastIngestedAt: string | null;
  /** Active when its repository or a resource connection of it is (only active sources unless asked). */
  readonly isActive: boolean;
  /**
   * How its last sync went: the newer of the resource connection's initial sync and the
   * repository's latest job (queued → `pending`, running → `in_progress`, then how it ended);
   * null when neither exists.
   */
  readonly syncStatus: SourceSyncStatus | null;
  readonly lastSyncError: string | null;
  readonly metadata: {
    readonly repoId: string;
    readonly repoFullName: string | null;
    readonly installationId: string;
    readonly defaultBranch: string | null;
    readonly isPrivate: boolean | null;
    /** The connected repository's `lightfast.yml` status; null for a resource connection alone. */
    readonly configStatus: string | null;
  };
}

export type SourceSyncStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

interface SourceRow {
  id: string;
  github_repo_id: string;
  repository_id: string | null;
  resource_id: string | null;
  full_name: string | null;
  installation_id: string;
  default_branch: string | null;
  is_private: boolean | null;
  config_status: string | null;
  connected_at: Date;
  last_synced_at: Date | null;
  last_ingested_at: Date | null;
  is_active: boolean;
  sync_status: SourceSyncStatus | null;
  sync_error: string | null;
  document_count: string;
  by_store: Record<string, string | number>;
}

export class WorkspaceSourceQueries {
  constructor(private readonly sql: Sql) {}

  /**
   * The workspace's sources, newest connection first (as the original's `connectedSources`
   * read), in one statement whatever their number: active ones only unless `includeInactive`.
   * Document counts are the `stores` projection's counters per store and repository
   * (`store_repository_counters`): no document is read. Sync status: the resource connection's
   * (`workspace_integrations`) or the repository's latest job (`latest_jobs`, then `jobs` by id).
   */
  async list(workspaceId: string, { includeInactive = false }: { readonly includeInactive?: boolean } = {}): Promise<WorkspaceSource[]> {
    const rows = await this.sql<SourceRow>(
      `WITH repos AS (
         SELECT id, github_repo_id, github_installation_id, metadata, config_status, is_active, connected_at, last_synced_at, last_ingested_at
           FROM repositories WHERE workspace_id = $1 AND (is_active OR $2)
       ), connections AS (
         -- Two members may each connect their own resource for one repository: one source (an active connection first).
         SELECT DISTINCT ON (r.repo_id) r.id, r.repo_id, r.repo_full_name, r.installation_id, r.default_branch, r.is_private,
                w.is_active, w.connected_at, w.last_synced_at, w.last_sync_status, w.last_sync_error, w.updated_at
           FROM workspace_integrations w JOIN integration_resources r ON r.id = w.resource_id
          WHERE w.workspace_id = $1 AND (w.is_active OR $2)
          ORDER BY r.repo_id, w.is_active DESC, w.connected_at, r.id
       ), per_store AS (
         SELECT c.github_repo_id, c.store_id, c.document_count AS documents
           FROM stores s JOIN store_repository_counters c ON c.store_id = s.id
          WHERE s.workspace_id = $1 AND c.document_count > 0
       ), counts AS (
         SELECT github_repo_id, sum(documents) AS documents, jsonb_object_agg(store_id, documents) AS by_store FROM per_store GROUP BY github_repo_id
       ), sources AS (
         SELECT coalesce(p.id, c.id) AS id,
                coalesce(p.github_repo_id, c.repo_id) AS github_repo_id,
                p.id AS repository_id,
                c.id AS resource_id,
                coalesce(p.metadata->>'fullName', c.repo_full_name) AS full_name,
                coalesce(p.github_installation_id, c.installation_id) AS installation_id,
                coalesce(c.default_branch, p.metadata->>'defaultBranch') AS default_branch,
                coalesce(c.is_private, CASE WHEN jsonb_typeof(p.metadata->'private') = 'boolean' THEN (p.metadata->>'private')::boolean END) AS is_private,
                p.config_status,
                coalesce(p.is_active, false) OR coalesce(c.is_active, false) AS is_active,
                -- least and greatest skip NULLs: the earliest connection, the latest sync.
                least(p.connected_at, c.connected_at) AS connected_at,
                greatest(p.last_synced_at, c.last_synced_at) AS last_synced_at,
                p.last_ingested_at,
                c.last_sync_status, c.last_sync_error, c.updated_at AS connection_updated_at
           FROM repos p FULL JOIN connections c ON c.repo_id = p.github_repo_id
       )
       SELECT s.*, coalesce(n.documents, 0) AS document_count, coalesce(n.by_store, '{}'::jsonb) AS by_store,
              CASE WHEN j.id IS NOT NULL AND (s.last_sync_status IS NULL OR j.updated_at >= s.connection_updated_at)
                   THEN CASE j.status WHEN 'queued' THEN 'pending' WHEN 'running' THEN 'in_progress' ELSE j.status END
                   ELSE s.last_sync_status END AS sync_status,
              CASE WHEN j.id IS NOT NULL AND (s.last_sync_status IS NULL OR j.updated_at >= s.connection_updated_at)
                   THEN j.error_message ELSE s.last_sync_error END AS sync_error
         FROM sources s LEFT JOIN counts n ON n.github_repo_id = s.github_repo_id
         LEFT JOIN latest_jobs l ON l.scope = 'repository' AND l.scope_id = s.repository_id
         LEFT JOIN jobs j ON j.id = l.job_id
        ORDER BY s.connected_at DESC, s.id`,
      [workspaceId, includeInactive],
    );
    return rows.map(toSource);
  }
}

function toSource(row: SourceRow): WorkspaceSource {
  return {
    id: row.id,
    type: 'github',
    displayName: row.full_name ?? `GitHub repository ${row.github_repo_id}`,
    githubRepoId: row.github_repo_id,
    repositoryId: row.repository_id,
    resourceId: row.resource_id,
    documentCount: Number(row.document_count),
    documentsByStore: Object.fromEntries(Object.entries(row.by_store).map(([storeId, n]) => [storeId, Number(n)])),
    connectedAt: row.connected_at.toISOString(),
    lastSyncedAt: row.last_synced_at?.toISOString() ?? null,
    lastIngestedAt: row.last_ingested_at?.toISOString() ?? null,
    isActive: row.is_active,
    syncStatus: row.sync_status,
    lastSyncError: row.sync_error,
    metadata: {
      repoId: row.github_repo_id,
      repoFullName: row.full_name,
      installationId: row.installation_id,
      defaultBranch: row.default_branch,
      isPrivate: row.is_private,
      configStatus: row.config_status,
    },
  };
}
