import { EVENT_STORE } from '#runtime';
import type { EventStore } from '#event-store';
import { Inject, Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import {
  DomainError,
  defaultWorkspaceName,
  fold,
  installationsStreamId,
  organizationDecider,
  organizationSlugDecider,
  organizationSlugStreamId,
  organizationStreamId,
  workspaceDecider,
  workspaceDirectoryStreamId,
  type OrganizationCommand,
  type OrganizationEvent,
  type OrganizationFactSource,
  type OrganizationSlugEvent,
  type OrganizationState,
  type WorkspaceEvent,
} from '#domain';
import { handleCommand, type CommandContext, type Position, aggregateStream } from '#event-store';
import type { DirectoryMembership, DirectoryOrganization, OrganizationDirectory, OrgRole } from '#adapters';
import { ORGANIZATION_DIRECTORY, callDirectory } from './organization-directory.js';

const DEFAULT_WORKSPACE_NAMESPACE = '0d4e2c51-7f0a-4b3e-9c61-5a8f2e7d1b94';
/** Derived from the organization: every attempt to create the default workspace names the same one. */
export const defaultWorkspaceIdFor = (organizationId: string) => uuidv5(`default-workspace:${organizationId}`, DEFAULT_WORKSPACE_NAMESPACE);

export interface DefaultWorkspace {
  readonly workspaceId: string;
  readonly workspaceName: string;
}

export interface RecordedOrganization {
  readonly organizationId: string;
  readonly slug: string;
  readonly name: string;
  readonly defaultWorkspace: DefaultWorkspace;
  /** The newest position written (or found, for a no-op): read-your-writes for every stream touched. */
  readonly position: Position | null;
}

/** How a fact from Clerk is recorded: its command ids derive from `commandId`, so a redelivery appends nothing. */
export interface FactContext {
  readonly commandId: string;
  readonly source: OrganizationFactSource;
  /** When the fact was true: Clerk's event time, or when we read Clerk. */
  readonly at: string;
  readonly userId?: string;
}

/**
 * The write side of organizations. A creation touches three streams, each with its own command id
 * derived from the request's, in an order that makes every step safe to retry: the slug
 * reservation (the uniqueness check), the organization, then its default workspace. Clerk is
 * called before anything is appended, so a refusal by Clerk leaves the store untouched.
 */
@Injectable()
export class OrganizationWriter {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(ORGANIZATION_DIRECTORY) private readonly directory: OrganizationDirectory,
  ) {}

  /**
   * `POST /v1/orgs`: 409 when the slug is taken (by our store without Clerk, by Clerk with it), and
   * when it has history (see `historyOf`). `adoptHistory` is for the operator only (`npm start`,
   * `console token --create`): it creates the organization that local tokens for the slug have
   * always named, keeping what was recorded under it before it existed.
   */
  async create(input: { slug: string; name: string; userId: string }, context: CommandContext, options: { adoptHistory?: boolean } = {}): Promise<RecordedOrganization> {
    const slugCommandId = `${context.commandId}:slug`;
    // A retry of a creation that got as far as the reservation continues with the organization it
    // reserved for, instead of asking Clerk for a second one (which would answer "slug taken").
    const slugHistory = await this.eventStore.readStream(organizationSlugStreamId(input.slug));
    const reservation = slugHistory.find((e) => e.metadata.commandId === slugCommandId);
    if (!reservation && slugHistory.length > 0) throw slugUsedBefore(input.slug);
    const organizationId = reservation
      ? (reservation.data as { organizationId: string }).organizationId
      : (await callDirectory(() => this.directory.createOrganization({ slug: input.slug, name: input.name, createdBy: input.userId }))).id;
    if (!reservation && !options.adoptHistory && (await this.historyOf(organizationId))) throw slugUsedBefore(input.slug);
    const at = new Date().toISOString();
    const reserved = await handleCommand(
      this.eventStore,
      organizationSlugStreamId(input.slug),
      organizationSlugDecider,
      { type: 'ReserveOrganizationSlug', data: { slug: input.slug, organizationId, authoritative: this.directory.external, at } },
      { ...context, commandId: slugCommandId },
    );
    const created = await this.sendToOrganization(
      organizationId,
      [{ type: 'CreateOrganization', data: { organizationId, slug: input.slug, name: input.name, createdBy: input.userId, source: 'console', at } }],
      { ...context, commandId: `${context.commandId}:org` },
    );
    const workspace = await this.ensureDefaultWorkspace(organizationId);
    const state = fold(organizationDecider, created.history);
    return {
      organizationId,
      slug: state.slug,
      name: state.name,
      defaultWorkspace: workspace.defaultWorkspace,
      position: this.newest(reserved.position, created.position, workspace.position),
    };
  }

  /** `PATCH /v1/orgs/{org}`; renaming to the current name calls nobody and appends nothing. */
  async rename(organizationId: string, name: string, context: CommandContext): Promise<{ name: string; position: Position | null }> {
    const current = await this.state(organizationId);
    if (current.state.organizationId !== null && current.state.name === name) return { name, position: current.position };
    const external = await callDirectory(() => this.directory.renameOrganization(organizationId, name));
    const at = new Date().toISOString();
    if (external) {
      // Clerk answered with the whole organization: recorded like any Clerk fact (known or not yet).
      const recorded = await this.record(external, [...this.organizationFacts(external, 'console', at, true)], { commandId: context.commandId, source: 'console', at, userId: context.userId });
      return { name: recorded.name, position: recorded.position };
    }
    const result = await this.sendToOrganization(organizationId, [{ type: 'RenameOrganization', data: { organizationId, name, source: 'console', at } }], context);
    return { name: fold(organizationDecider, result.history).name, position: result.position };
  }

  /** `POST /v1/orgs/{org}/members/from-github`: adds the user (or changes their role), in Clerk first when configured. */
  async addMember(organizationId: string, userId: string, role: OrgRole, context: CommandContext): Promise<{ role: OrgRole; position: Position | null }> {
    const external = await callDirectory(() => this.directory.setMembership({ organizationId, userId, role }));
    if (external) {
      const recorded = await this.recordMembership(external, { commandId: context.commandId, source: 'console', at: new Date().toISOString(), userId: context.userId });
      return { role: external.role, position: recorded.position };
    }
    const result = await this.sendToOrganization(organizationId, [{ type: 'AddMember', data: { organizationId, userId, role, source: 'console', at: new Date().toISOString() } }], context);
    return { role, position: result.position };
  }

  /**
   * An organization as Clerk reports it (webhook, or a membership's organization). With `update`,
   * its name and slug are applied too unless the stream already knows a newer state; without, only
   * an unknown organization is recorded (a membership payload's copy may be older than ours).
   */
  async recordOrganization(organization: DirectoryOrganization, fact: FactContext, update: boolean): Promise<RecordedOrganization> {
    return this.record(organization, [...this.organizationFacts(organization, fact.source, fact.at, update)], fact);
  }

  async recordMembership(membership: DirectoryMembership, fact: FactContext): Promise<RecordedOrganization> {
    const { organization, userId, role } = membership;
    return this.record(
      organization,
      [...this.organizationFacts(organization, 'clerk', fact.at, false), { type: 'AddMember', data: { organizationId: organization.id, userId, role, source: fact.source, at: fact.at } }],
      fact,
    );
  }

  /** Returns null when the organization is unknown here: there is no membership to remove. */
  async removeMembership(organizationId: string, userId: string, fact: FactContext): Promise<{ position: Position | null } | null> {
    if ((await this.state(organizationId)).state.organizationId === null) return null;
    const result = await this.sendToOrganization(organizationId, [{ type: 'RemoveMember', data: { organizationId, userId, source: fact.source, at: fact.at } }], {
      commandId: `${fact.commandId}:org`,
      userId: fact.userId,
    });
    return { position: result.position };
  }

  /**
   * Whether an organization id has history: an event on any stream keyed by it (the organization,
   * its workspace directory, its GitHub installations). Without Clerk an organization's id is derived
   * from its slug, so a slug whose id has history would hand the creator everything recorded under it:
   * workspaces made with local tokens before the organization existed, or what a previous holder left.
   * With Clerk, ids are never reused and this finds nothing. Streams keyed by a workspace or job
   * hang off the workspace directory, so these three cover all of an organization's data.
   */
  async historyOf(organizationId: string): Promise<boolean> {
    for (const streamId of [organizationStreamId(organizationId), workspaceDirectoryStreamId(organizationId), installationsStreamId(organizationId)]) {
      if ((await this.eventStore.readStream(streamId)).length > 0) return true;
    }
    return false;
  }

  /** Who holds a slug, from its reservation stream (never the read model); null when nobody does. */
  async organizationIdForSlug(slug: string): Promise<string | null> {
    const history = await this.eventStore.readStream(organizationSlugStreamId(slug));
    return fold(organizationSlugDecider, history as unknown as OrganizationSlugEvent[]).organizationId;
  }

  /** The organization's current state, folded from its stream (never the read model). */
  async state(organizationId: string): Promise<{ state: OrganizationState; position: Position | null }> {
    const history = await this.eventStore.readStream(organizationStreamId(organizationId));
    return { state: fold(organizationDecider, history as unknown as OrganizationEvent[]), position: history.at(-1)?.position ?? null };
  }

  /**
   * Creates the organization's default workspace through the workspace command, with an id and a
   * friendly name derived from the organization, so retries and concurrent callers agree; the
   * directory decider makes a second default a no-op. A name already used by another workspace of
   * the organization gets a numbered suffix.
   */
  async ensureDefaultWorkspace(organizationId: string): Promise<{ defaultWorkspace: DefaultWorkspace; position: Position | null }> {
    const workspaceId = defaultWorkspaceIdFor(organizationId);
    for (let attempt = 1; ; attempt++) {
      const name = defaultWorkspaceName(organizationId, attempt);
      try {
        const result = await handleCommand(
          this.eventStore,
          workspaceDirectoryStreamId(organizationId),
          workspaceDecider,
          { type: 'CreateWorkspace', data: { organizationId, workspaceId, name, isDefault: true, at: new Date().toISOString() } },
          { commandId: `default-workspace:${organizationId}:${attempt}` },
        );
        const created = result.events.find((e): e is Extract<WorkspaceEvent, { type: 'WorkspaceCreated' }> => e.type === 'WorkspaceCreated');
        if (created) return { defaultWorkspace: { workspaceId: created.data.workspaceId, workspaceName: created.data.name }, position: result.position };
        // A no-op: the default exists already; name it from the directory itself.
        const directory = (await aggregateStream(this.eventStore, workspaceDirectoryStreamId(organizationId), workspaceDecider)).state;
        const id = directory.defaultWorkspaceId!;
        return { defaultWorkspace: { workspaceId: id, workspaceName: directory.workspaces.get(id)!.name }, position: result.position };
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'conflict' && error.details?.field === 'name') || attempt >= 20) throw error;
      }
    }
  }

  private async record(organization: DirectoryOrganization, commands: OrganizationCommand[], fact: FactContext): Promise<RecordedOrganization> {
    const reserved = await handleCommand(
      this.eventStore,
      organizationSlugStreamId(organization.slug),
      organizationSlugDecider,
      { type: 'ReserveOrganizationSlug', data: { slug: organization.slug, organizationId: organization.id, authoritative: true, at: fact.at } },
      { commandId: `${fact.commandId}:slug`, userId: fact.userId },
    );
    const result = await this.sendToOrganization(organization.id, commands, { commandId: `${fact.commandId}:org`, userId: fact.userId });
    const workspace = await this.ensureDefaultWorkspace(organization.id);
    const state = fold(organizationDecider, result.history);
    return {
      organizationId: organization.id,
      slug: state.slug,
      name: state.name,
      defaultWorkspace: workspace.defaultWorkspace,
      position: this.newest(reserved.position, result.position, workspace.position),
    };
  }

  private *organizationFacts(organization: DirectoryOrganization, source: OrganizationFactSource, at: string, update: boolean): Generator<OrganizationCommand> {
    const organizationId = organization.id;
    // Whoever asks, an organization read from Clerk is a Clerk fact: its members come from Clerk's membership facts.
    yield { type: 'CreateOrganization', data: { organizationId, slug: organization.slug, name: organization.name, createdBy: organization.createdBy, source: 'clerk', at: organization.createdAt } };
    if (!update) return;
    yield { type: 'RenameOrganization', data: { organizationId, name: organization.name, source, at } };
    yield { type: 'ChangeOrganizationSlug', data: { organizationId, slug: organization.slug, at } };
  }

  /** Runs the commands as one decision (one append) and returns the stream's history after it. */
  private async sendToOrganization(organizationId: string, commands: OrganizationCommand[], context: CommandContext) {
    const streamId = organizationStreamId(organizationId);
    const result = await handleCommand(this.eventStore, streamId, organizationDecider, commands, context);
    const history = (await this.eventStore.readStream(streamId)) as unknown as OrganizationEvent[];
    return { position: result.position, history };
  }

  private newest(...positions: Array<Position | null>): Position | null {
    return positions.reduce<Position | null>((a, b) => (a === null ? b : b === null ? a : this.eventStore.comparePositions(a, b) >= 0 ? a : b), null);
  }
}

/**
 * A slug is never handed out twice: any reservation on its stream (even one Clerk has since moved or
 * released) or any history under the organization id it derives refuses a new creation. The body
 * names the slug only, not who held it.
 */
const slugUsedBefore = (slug: string) => new DomainError('conflict', `Organization slug "${slug}" is already taken or was used before; choose another`, { field: 'slug' });
