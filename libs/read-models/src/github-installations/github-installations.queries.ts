import type { Sql } from '../core/sql.js';
import type { GitHubInstallationRow } from './github-installations.table.js';
import { toGitHubInstallationView, type GitHubInstallationView, type GitHubInstallationViewRow } from './github-installations.view.js';

/** Lookups on `github_installations`: an organization's list, and webhook routing by installation. */
export class GitHubInstallationQueries {
  constructor(private readonly sql: Sql) {}

  /** The installations the organization owns now, oldest binding first. */
  async list(organizationId: string): Promise<GitHubInstallationView[]> {
    const rows = await this.sql<GitHubInstallationViewRow>(
      `SELECT installation_id, account_login, account_type, via, bound_by, bound_at FROM github_installations
        WHERE organization_id = $1 AND is_active ORDER BY bound_at, installation_id`,
      [organizationId],
    );
    return rows.map(toGitHubInstallationView);
  }

  /** Organizations the read model says own the installation now; a caller that acts confirms each on its stream. */
  async owners(installationId: string): Promise<string[]> {
    const rows = await this.sql<Pick<GitHubInstallationRow, 'organization_id'>>(
      'SELECT organization_id FROM github_installations WHERE installation_id = $1 AND is_active ORDER BY organization_id',
      [installationId],
    );
    return rows.map((row) => row.organization_id);
  }
}
