import { repositoryDecider, repositoryStreamId, type RepositoryCommand } from '#domain';
import { handleCommand, type EventStore } from '#event-store';
import type { InstallationBindings } from '../installations/installation-bindings.js';
import { deliveryContext, loadRepository, type DeliveryOutcome, type GitHubDelivery } from './github-delivery.js';
import { idAt, optionalIdAt } from './github-webhook-payload.js';

/*
 * The repository lifecycle GitHub reports (original §6.1). A delivery concerns only the
 * organizations that own its installation, and in each only the repository connected through that
 * installation; each is decided on the organization's own repository stream.
 */

/** The original's `markInactive` for each repository of the organization GitHub names. */
export async function deactivateRepositories(
  store: EventStore,
  delivery: GitHubDelivery,
  organizationId: string,
  githubRepoIds: readonly string[],
  installationId: string,
  reason: string,
): Promise<string[]> {
  const repositoryIds: string[] = [];
  for (const githubRepoId of githubRepoIds) {
    const state = await loadRepository(store, organizationId, githubRepoId);
    if (state.status === 'none') continue;
    await handleCommand(
      store,
      repositoryStreamId(organizationId, githubRepoId),
      repositoryDecider,
      { type: 'DeactivateRepository', data: { reason, githubInstallationId: installationId, at: delivery.at } },
      deliveryContext(delivery, `deactivate:${organizationId}:${githubRepoId}`),
    );
    repositoryIds.push(state.repositoryId);
  }
  return repositoryIds;
}

/**
 * `command` on the payload's repository in every organization that connected it through the
 * delivery's installation. A repository event without an installation is not ours to act on.
 */
export async function decideOnConnectedRepository(
  store: EventStore,
  installations: InstallationBindings,
  delivery: GitHubDelivery,
  step: string,
  command: RepositoryCommand,
): Promise<DeliveryOutcome> {
  const githubRepoId = idAt(delivery.payload, 'repository.id');
  const installationId = optionalIdAt(delivery.payload, 'installation.id');
  if (installationId === null) return { ignored: 'no_installation' };
  const repositoryIds: string[] = [];
  for (const organizationId of await installations.owners(installationId)) {
    const state = await loadRepository(store, organizationId, githubRepoId);
    if (state.status === 'none' || state.githubInstallationId !== installationId) continue;
    await handleCommand(
      store,
      repositoryStreamId(organizationId, githubRepoId),
      repositoryDecider,
      command,
      deliveryContext(delivery, `${step}:${organizationId}`),
    );
    repositoryIds.push(state.repositoryId);
  }
  return repositoryIds.length === 0 ? { ignored: 'unknown_repository' } : { handled: { repositoryIds } };
}
