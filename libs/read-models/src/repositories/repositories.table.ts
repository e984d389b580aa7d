import { defineTable, typed, type RowOf } from '../core/table.js';

/**
 * The original's `DeusConnectedRepository`, one row per connected GitHub repository.
 *
 * The defaults are there for `document_count`'s increments only: an increment is an INSERT … ON
 * CONFLICT, and PostgreSQL checks NOT NULL on the proposed row before it finds the conflict. They
 * never fill a row: a repository's documents are ingested after its `RepositoryConnected`, which
 * the log holds earlier, so the row is always there to update.
 */
export const repositoriesTable = defineTable({
  name: 'repositories',
  columns: {
    id: { type: 'text' },
    organization_id: { type: 'text', default: "''" },
    github_repo_id: { type: 'text', default: "''" },
    github_installation_id: { type: 'text', default: "''" },
    workspace_id: { type: 'text', nullable: true },
    is_active: { type: 'boolean', default: 'false' },
    config_status: { type: 'text', default: "'pending'" },
    config_path: { type: 'text', nullable: true },
    config: { type: 'jsonb', nullable: true },
    config_error: { type: 'text', nullable: true },
    config_detected_at: { type: 'timestamptz', nullable: true },
    metadata: typed<Record<string, unknown>>()({ type: 'jsonb', default: "'{}'::jsonb" }),
    connected_at: { type: 'timestamptz', default: "'epoch'" },
    last_synced_at: { type: 'timestamptz', nullable: true },
    document_count: { type: 'integer', default: '0' },
    last_ingested_at: { type: 'timestamptz', nullable: true },
    active_job_id: { type: 'text', nullable: true },
  },
  primaryKey: ['id'],
  // One stream per organization and GitHub repository id keeps the pair unique; `(organization_id,
  // is_active)` serves the list, `(github_repo_id)` and `(github_installation_id)` the webhooks'
  // routing (a repository may be connected by several organizations that each own its installation).
  indexes: [
    'UNIQUE (organization_id, github_repo_id)',
    '(organization_id, is_active)',
    '(workspace_id, is_active)',
    '(github_repo_id)',
    '(github_installation_id)',
  ],
});

export type RepositoryRow = RowOf<typeof repositoriesTable>;
