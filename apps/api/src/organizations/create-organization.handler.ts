import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { createOrganization, newestPosition, type RecordedOrganization } from '#application';
import {
  DomainError,
  isSuffixedFrom,
  memberRole,
  organizationSlugStreamId,
  perStreamCommandIds,
  slugUsedBefore,
  suffixedSlug,
} from '#domain';
import type { CommandContext, EventStore } from '#event-store';
import { DirectoryConflictError, type OrganizationDirectory } from '#adapters';
import { OrganizationQueries } from '#read-models';
import { EVENT_STORE } from '#runtime';
import { MembershipResolver } from './membership-resolver.js';
import { ORGANIZATION_DIRECTORY, callDirectory } from './organization-directory.js';
import { OrganizationStreams } from './organization-streams.js';

export interface CreatedOrGotOrganization extends RecordedOrganization {
  /** False: the caller is a member of the organization already holding the slug, which is answered instead. */
  readonly created: boolean;
}

export class CreateOrganizationCommand extends Command<CreatedOrGotOrganization> {
  constructor(
    readonly userId: string,
    readonly slug: string,
    readonly name: string,
    readonly context: CommandContext,
    /** `clerk.createOrGetOrganization`'s retry: a slug taken by an organization the caller is not in gets a `-<epoch ms>` suffix. */
    readonly suffixIfTaken = false,
  ) {
    super();
  }
}

/**
 * `organization.create` and `clerk.createOrGetOrganization`. A taken slug is answered, in order:
 * with the organization holding it when the caller is its member (our streams first, then Clerk's
 * membership list, as an authorization miss asks it); with a new organization under a suffixed
 * slug when the caller asked for it; otherwise 409 with a message that names the slug only, so a
 * non-member learns nothing of who holds it.
 */
@CommandHandler(CreateOrganizationCommand)
export class CreateOrganizationHandler implements ICommandHandler<CreateOrganizationCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(ORGANIZATION_DIRECTORY) private readonly directory: OrganizationDirectory,
    private readonly streams: OrganizationStreams,
    private readonly memberships: MembershipResolver,
    private readonly organizations: OrganizationQueries,
  ) {}

  async execute({ userId, slug, name, context, suffixIfTaken }: CreateOrganizationCommand): Promise<CreatedOrGotOrganization> {
    // Only the directory throws the directory's errors, and it is called before anything is appended.
    return callDirectory(async () => {
      const created = await this.createUnlessTaken(slug, name, userId, context);
      if (created) return created;
      const existing = await this.existingOfMember(userId, slug);
      if (existing) return existing;
      if (!suffixIfTaken) throw slugUsedBefore(slug);
      const earlier = await this.earlierSuffixedCreation(userId, slug, context);
      // Once, as the original: a second collision (the same millisecond) reaches the caller as a 409.
      return {
        ...(await createOrganization(
          this.eventStore,
          this.directory,
          { slug: earlier ?? suffixedSlug(slug, Date.now()), name, userId },
          context,
        )),
        created: true,
      };
    });
  }

  /** Null when the slug is taken: in our store (a reservation or history), or in Clerk. */
  private async createUnlessTaken(
    slug: string,
    name: string,
    userId: string,
    context: CommandContext,
  ): Promise<CreatedOrGotOrganization | null> {
    try {
      return { ...(await createOrganization(this.eventStore, this.directory, { slug, name, userId }, context)), created: true };
    } catch (error) {
      const taken =
        error instanceof DirectoryConflictError ||
        (error instanceof DomainError && error.code === 'conflict' && error.details?.field === 'slug');
      if (taken) return null;
      throw error;
    }
  }

  /** The organization holding the slug, when the caller is its member; read from its streams, then from Clerk. */
  private async existingOfMember(userId: string, slug: string): Promise<CreatedOrGotOrganization | null> {
    const holder = await this.streams.organizationIdForSlug(slug);
    if (holder !== null) {
      const { state } = await this.streams.state(holder);
      if (state.slug === slug && memberRole(state, userId) !== null) return this.describe(holder);
    }
    // Clerk mode only: a membership Clerk has and no webhook has brought yet (recorded as it is learned).
    const learned = await this.memberships.learn(userId, { by: 'slug', value: slug });
    return learned ? this.describe(learned.organizationId) : null;
  }

  private async describe(organizationId: string): Promise<CreatedOrGotOrganization> {
    const { state, position } = await this.streams.state(organizationId);
    const workspace = await this.streams.ensureDefaultWorkspace(organizationId);
    return {
      organizationId,
      slug: state.slug,
      name: state.name,
      defaultWorkspace: workspace.defaultWorkspace,
      position: newestPosition(this.eventStore, position, workspace.position),
      created: false,
    };
  }

  /**
   * A retry (same Idempotency-Key) of a creation that took a suffixed slug: that slug, found among
   * the caller's organizations by the reservation this command id made. Read from the read model,
   * so a retry sent before the first creation was projected makes a second suffixed organization.
   */
  private async earlierSuffixedCreation(userId: string, slug: string, context: CommandContext): Promise<string | null> {
    if (context.requestHash === undefined) return null;
    const reservationCommandId = perStreamCommandIds(context.commandId).slug;
    const base = suffixedSlug(slug, Date.now()).replace(/-\d+$/, '');
    for (const candidate of await this.organizations.createdByWithSlugPrefix(userId, `${base}-`)) {
      if (!isSuffixedFrom(candidate.slug, slug)) continue;
      const history = await this.eventStore.readStream(organizationSlugStreamId(candidate.slug));
      if (history.some((e) => e.metadata.commandId === reservationCommandId)) return candidate.slug;
    }
    return null;
  }
}
