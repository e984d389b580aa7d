import type { RecordedEvent } from '#domain';
import { INSTALLATION_EVENT_TYPES, assertNever, type InstallationEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

/**
 * The GitHub App installations each organization owns, and how it came to own them. Commands
 * decide on the organization's own stream; this table serves the list, and webhook routing
 * (`(installation_id)`: which organizations a delivery about an installation concerns).
 */
export const githubInstallationsTable: TableDefinition = {
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
};

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & InstallationEvent;
  const key = { organization_id: event.data.organizationId, installation_id: event.data.installationId };
  switch (event.type) {
    case 'GitHubInstallationBound': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'github_installations',
          row: { ...key, account_login: d.accountLogin, account_type: d.accountType, via: d.via, bound_by: d.boundBy, bound_at: d.boundAt, is_active: true, unbound_at: null },
        },
      ];
    }
    case 'GitHubInstallationUnbound':
      return [{ kind: 'patch', table: 'github_installations', key, set: { is_active: false, unbound_at: event.data.unboundAt } }];
    default:
      return assertNever(event);
  }
}

export const githubInstallationsProjection: ProjectionDefinition = {
  name: 'github_installations',
  eventTypes: INSTALLATION_EVENT_TYPES,
  tables: [githubInstallationsTable],
  apply,
};
