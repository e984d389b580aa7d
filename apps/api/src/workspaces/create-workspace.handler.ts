import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { workspaceDecider, workspaceDirectoryStreamId } from '#domain';
import { handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { Quotas } from '../quotas/quotas.service.js';

export interface CreatedWorkspace {
  readonly workspaceId: string;
  readonly workspaceName: string;
  readonly workspaceSlug: string;
  readonly workspaceKey: string;
  readonly position: Position | null;
}

export class CreateWorkspaceCommand extends Command<CreatedWorkspace> {
  constructor(
    readonly organizationId: string,
    readonly name: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Decided on the organization's workspace directory, where names are unique (in any case). */
@CommandHandler(CreateWorkspaceCommand)
export class CreateWorkspaceHandler implements ICommandHandler<CreateWorkspaceCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly quotas: Quotas,
  ) {}

  async execute({ organizationId, name, context }: CreateWorkspaceCommand): Promise<CreatedWorkspace> {
    await this.quotas.requireWorkspaceQuota(organizationId, context.commandId);
    const workspaceId = randomUUID();
    const result = await handleCommand(
      this.eventStore,
      workspaceDirectoryStreamId(organizationId),
      workspaceDecider,
      { type: 'CreateWorkspace', data: { organizationId, workspaceId, name, isDefault: false, at: new Date().toISOString() } },
      context,
    );
    // A replayed request is answered from its stored event, whose id is not this attempt's.
    const created = result.events.find((e) => e.type === 'WorkspaceCreated');
    const data = created?.type === 'WorkspaceCreated' ? created.data : null;
    const slug = data?.slug ?? name.toLowerCase();
    return {
      workspaceId: data?.workspaceId ?? workspaceId,
      workspaceName: data?.name ?? name,
      workspaceSlug: slug,
      workspaceKey: `ws-${slug}`,
      position: result.position,
    };
  }
}
