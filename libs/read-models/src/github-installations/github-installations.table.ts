import { defineTable, type RowOf } from '../core/table.js';

/**
 * The GitHub App installations each organization owns, and how it came to own them. Commands
 * decide on the organization's own stream; this table serves the list, and webhook routing
 * (`(installation_id)`: which organizations a delivery about an installation concerns).
 */
export const githubInstallationsTable = defineTable({
  name: 'github_installations',
  columns: {
    organization_id: { type: 'text' },
    installation_id: { type: 'text' },
    account_login: { type: 'text' },
    account_type: { type: 'text' },
    via: { type: 'text' },
    bound_by: { type: 'text' },
    bound_at: { type: 'timestamptz' },
    is_active: { type: 'boolean' },
    unbound_at: { type: 'timestamptz', nullable: true },
  },
  primaryKey: ['organization_id', 'installation_id'],
  indexes: ['(installation_id, is_active)'],
});

export type GitHubInstallationRow = RowOf<typeof githubInstallationsTable>;
