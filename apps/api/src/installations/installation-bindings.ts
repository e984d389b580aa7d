import { EVENT_STORE } from '#runtime';
import type { EventStore } from '#event-store';
import { GitHubInstallationQueries } from '#read-models';
import { Inject, Injectable } from '@nestjs/common';
import {
  installationDecider,
  installationsStreamId,
  type InstallationBinding,
  type InstallationBindingVia,
  type InstallationCommand,
  type InstallationEvent,
  type OrganizationInstallations,
} from '#domain';
import { handleCommand, type CommandContext, type CommandResult, aggregateStream } from '#event-store';
import { notFound } from '../common/api-error.js';
import { GitHubIntegrationService } from '../integrations/github-integration.service.js';

export interface BindOutcome {
  readonly binding: InstallationBinding;
  readonly created: boolean;
  readonly position: string | null;
}

/**
 * Which GitHub App installations an organization owns. The organization's stream decides (no
 * read-model lag), and an installation becomes the organization's only on GitHub's word: the
 * acting member's own token must list it at that moment. An installation id in a request is never
 * trusted by itself: one the organization does not own, and one the member's token does not list,
 * both answer "Installation not found", like an id that does not exist.
 */
@Injectable()
export class InstallationBindings {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly installationRows: GitHubInstallationQueries,
    private readonly integrations: GitHubIntegrationService,
  ) {}

  async state(organizationId: string): Promise<OrganizationInstallations> {
    return (await aggregateStream(this.eventStore, installationsStreamId(organizationId), installationDecider)).state;
  }

  /** The binding, if the organization owns the installation now. */
  async find(organizationId: string, installationId: string): Promise<InstallationBinding | null> {
    return (await this.state(organizationId)).bound.get(installationId) ?? null;
  }

  /**
   * The organization's binding of the installation; when it has none yet, a member whose GitHub
   * token lists the installation binds it now (that listing is the proof). Otherwise a 404.
   */
  async requireBound(
    organizationId: string,
    userId: string,
    installationId: string,
    context: CommandContext,
  ): Promise<InstallationBinding> {
    const bound = await this.find(organizationId, installationId);
    if (bound) return bound;
    return (await this.bindOnUserToken(organizationId, userId, installationId, 'member_token', context)).binding;
  }

  /**
   * Binds the installation if `userId`'s GitHub token lists it now (`GET /user/installations`,
   * read fresh: a token that lost access since it was stored proves nothing). A user without a
   * GitHub integration, or whose token does not list it, gets the same 404 as an unknown id.
   */
  async bindOnUserToken(
    organizationId: string,
    userId: string,
    installationId: string,
    via: InstallationBindingVia,
    context: CommandContext,
  ): Promise<BindOutcome> {
    const existing = await this.find(organizationId, installationId);
    if (existing) return { binding: existing, created: false, position: null };
    const installations = await this.integrations.currentInstallations(userId).catch((error: unknown) => {
      // No GitHub integration at all proves nothing either; say so as for any unlisted id.
      if ((error as { getStatus?: () => number }).getStatus?.() === 404) return [];
      throw error;
    });
    const listed = installations.find((installation) => installation.id === installationId);
    if (!listed) throw notFound('Installation');
    const result = await this.send(
      organizationId,
      {
        type: 'BindGitHubInstallation',
        data: {
          organizationId,
          installationId,
          accountLogin: listed.accountLogin,
          accountType: listed.accountType,
          via,
          boundBy: userId,
          at: new Date().toISOString(),
        },
      },
      { ...context, commandId: `${context.commandId}:bind-installation:${installationId}` },
    );
    const binding = (await this.find(organizationId, installationId))!;
    return { binding, created: result.events.length > 0, position: result.position };
  }

  /** Organizations that own the installation now (read model: webhook routing), each confirmed on its stream. */
  async owners(installationId: string): Promise<string[]> {
    const owners: string[] = [];
    for (const organizationId of await this.installationRows.owners(installationId))
      if (await this.find(organizationId, installationId)) owners.push(organizationId);
    return owners;
  }

  send(organizationId: string, command: InstallationCommand, context: CommandContext): Promise<CommandResult<InstallationEvent>> {
    return handleCommand(this.eventStore, installationsStreamId(organizationId), installationDecider, command, context);
  }
}
