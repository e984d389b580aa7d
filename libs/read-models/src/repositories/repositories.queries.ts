import { DomainError } from '#domain';
import type { Sql } from '../core/sql.js';
import type { RepositoryRow } from './repositories.table.js';
import { toRepositoryView, type RepositoryView } from './repositories.view.js';

/** Lookups on the `repositories` read model of one organization. */
export class RepositoryQueries {
  constructor(private readonly sql: Sql) {}

  /** For the repository quota. */
  async activeCountIn(organizationId: string): Promise<number> {
    const [row] = await this.sql<{ n: number }>('SELECT count(*)::int AS n FROM repositories WHERE organization_id = $1 AND is_active', [
      organizationId,
    ]);
    return row?.n ?? 0;
  }

  /** GitHub ids of the organization's active repositories connected through an installation. */
  async activeThroughInstallation(organizationId: string, installationId: string): Promise<string[]> {
    const rows = await this.sql<{ github_repo_id: string }>(
      'SELECT github_repo_id FROM repositories WHERE organization_id = $1 AND github_installation_id = $2 AND is_active ORDER BY github_repo_id',
      [organizationId, installationId],
    );
    return rows.map((row) => row.github_repo_id);
  }

  async list(organizationId: string, includeInactive: boolean): Promise<RepositoryView[]> {
    const rows = await this.sql<RepositoryRow>(
      `SELECT * FROM repositories WHERE organization_id = $1 ${includeInactive ? '' : 'AND is_active'} ORDER BY connected_at DESC, id`,
      [organizationId],
    );
    return rows.map(toRepositoryView);
  }

  /** Another organization's repository is answered like a missing one. */
  async row(organizationId: string, id: string): Promise<RepositoryRow> {
    const [row] = await this.sql<RepositoryRow>('SELECT * FROM repositories WHERE id = $1 AND organization_id = $2', [id, organizationId]);
    if (!row) throw new DomainError('not_found', 'Repository not found');
    return row;
  }
}
