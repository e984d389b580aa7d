import type { RecordedEvent } from '#domain';
import { INSTALLATION_EVENT_TYPES, assertNever, type InstallationEvent } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { githubInstallationsTable } from './github-installations.table.js';

type InstallationChange = RowChangeOf<typeof githubInstallationsTable>;

function apply(recorded: RecordedEvent): InstallationChange[] {
  const event = recorded as RecordedEvent & InstallationEvent;
  const key = { organization_id: event.data.organizationId, installation_id: event.data.installationId };
  switch (event.type) {
    case 'GitHubInstallationBound': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'github_installations',
          row: {
            ...key,
            account_login: d.accountLogin,
            account_type: d.accountType,
            via: d.via,
            bound_by: d.boundBy,
            bound_at: d.boundAt,
            is_active: true,
            unbound_at: null,
          },
        },
      ];
    }
    case 'GitHubInstallationUnbound':
      return [{ kind: 'patch', table: 'github_installations', key, set: { is_active: false, unbound_at: event.data.unboundAt } }];
    default:
      return assertNever(event);
  }
}

export const githubInstallationsProjection = defineProjection({
  name: 'github_installations',
  eventTypes: INSTALLATION_EVENT_TYPES,
  tables: [githubInstallationsTable],
  apply,
});
