import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { SyncConfig } from '#domain';
import type { CommandContext, EventStore, Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { GitHubIntegrationService } from '../integrations/github-integration.service.js';
import { sendToIntegrationStream } from '../integrations/integration.stream.js';

export interface ConnectedSource {
  readonly workspaceId: string;
  readonly resourceId: string;
  readonly syncConfig: SyncConfig;
  readonly isActive: true;
  /** True when this command started a new initial sync (a first connection or a reconnection). */
  readonly initialSyncStarted: boolean;
  readonly position: Position | null;
}

export class ConnectResourceToWorkspaceCommand extends Command<ConnectedSource> {
  constructor(
    readonly userId: string,
    readonly organizationId: string,
    readonly workspace: { readonly id: string; readonly slug: string },
    readonly resourceId: string,
    readonly syncConfig: SyncConfig,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Recorded in the resource owner's integration stream, next to the resource: existence, ownership
 * and "connected once per workspace" are one aggregate's rules. The first connection (or one after
 * a disconnection) appends the event that starts the initial sync.
 */
@CommandHandler(ConnectResourceToWorkspaceCommand)
export class ConnectResourceToWorkspaceHandler implements ICommandHandler<ConnectResourceToWorkspaceCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly github: GitHubIntegrationService,
  ) {}

  async execute({
    userId,
    organizationId,
    workspace,
    resourceId,
    syncConfig,
    context,
  }: ConnectResourceToWorkspaceCommand): Promise<ConnectedSource> {
    // The initial sync reads the repository with the App's installation token on the
    // organization's behalf: only while GitHub still shows it to the member who connects it.
    const resource = (await this.github.load(userId)).resources.get(resourceId);
    if (resource) await this.github.requireVisibleRepository(userId, resource.installationId, resource.repoId);
    const result = await sendToIntegrationStream(
      this.eventStore,
      userId,
      {
        type: 'ConnectResourceToWorkspace',
        data: {
          userId,
          resourceId,
          workspaceId: workspace.id,
          workspaceKey: `ws-${workspace.slug}`,
          organizationId,
          syncConfig,
          at: new Date().toISOString(),
        },
      },
      context,
    );
    const event = result.events[0];
    return {
      workspaceId: workspace.id,
      resourceId,
      syncConfig: event && 'syncConfig' in event.data ? event.data.syncConfig : syncConfig,
      isActive: true,
      initialSyncStarted: event?.type === 'ResourceConnectedToWorkspace',
      position: result.position,
    };
  }
}
