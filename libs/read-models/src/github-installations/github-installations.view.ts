import type { GitHubInstallationRow } from './github-installations.table.js';

export interface GitHubInstallationView {
  readonly installationId: string;
  readonly accountLogin: string;
  readonly accountType: string;
  readonly via: string;
  readonly boundBy: string;
  readonly boundAt: string;
}

export type GitHubInstallationViewRow = Pick<
  GitHubInstallationRow,
  'installation_id' | 'account_login' | 'account_type' | 'via' | 'bound_by' | 'bound_at'
>;

export const toGitHubInstallationView = (row: GitHubInstallationViewRow): GitHubInstallationView => ({
  installationId: row.installation_id,
  accountLogin: row.account_login,
  accountType: row.account_type,
  via: row.via,
  boundBy: row.bound_by,
  boundAt: row.bound_at.toISOString(),
});
