import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { InstallationCommand } from './installation.commands.js';
import type { GitHubInstallationBound, InstallationEvent } from './installation.events.js';

export type InstallationBinding = Omit<GitHubInstallationBound['data'], 'organizationId'>;

/** The installations one organization owns now, by installation id. */
export interface OrganizationInstallations {
  readonly organizationId: string | null;
  readonly bound: ReadonlyMap<string, InstallationBinding>;
}

const initialState = (): OrganizationInstallations => ({ organizationId: null, bound: new Map() });

/**
 * An organization's installations. Binding is idempotent (a second proof changes nothing) and the
 * same installation may be bound by several organizations, each on its own proof: a GitHub account
 * whose members work in two organizations of ours is legitimate. What isolates tenants is that no
 * binding happens without GitHub's word, and that every repository stream is the organization's own.
 */
function decide(command: InstallationCommand, state: OrganizationInstallations): InstallationEvent[] {
  if (state.organizationId !== null && state.organizationId !== command.data.organizationId) {
    throw new DomainError('invalid', 'Installation stream belongs to another organization');
  }
  switch (command.type) {
    case 'BindGitHubInstallation': {
      const { at, ...data } = command.data;
      if (state.bound.has(data.installationId)) return [];
      return [{ type: 'GitHubInstallationBound', data: { ...data, boundAt: at } }];
    }
    case 'UnbindGitHubInstallation': {
      const { organizationId, installationId, reason, at } = command.data;
      if (!state.bound.has(installationId)) return [];
      return [{ type: 'GitHubInstallationUnbound', data: { organizationId, installationId, reason, unboundAt: at } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: OrganizationInstallations, event: InstallationEvent): OrganizationInstallations {
  const bound = new Map(state.bound);
  switch (event.type) {
    case 'GitHubInstallationBound': {
      const { organizationId, ...binding } = event.data;
      bound.set(binding.installationId, binding);
      return { organizationId, bound };
    }
    case 'GitHubInstallationUnbound':
      bound.delete(event.data.installationId);
      return { organizationId: event.data.organizationId, bound };
    default:
      return assertNever(event);
  }
}

export const installationDecider: Decider<InstallationCommand, InstallationEvent, OrganizationInstallations> = {
  decide,
  evolve,
  initialState,
};
