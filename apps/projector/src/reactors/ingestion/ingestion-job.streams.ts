import {
  cancelDisconnectedSync,
  ensureStore,
  finishReindex,
  ingestionCommandIds,
  initialSyncOf,
  integrationDecider,
  integrationStreamId,
  jobDecider,
  jobStreamId,
  notThisOrganizations,
  recordConfig,
  recordInitialSync,
  repositoryDecider,
  repositoryStreamId,
  stopsBeforeBatch,
  storeDecider,
  storeSettingsOf,
  storeStreamId,
  type ConfigDetection,
  type IngestionJob,
  type JobCommand,
  type JobState,
  type RecordWorkspaceSync,
  type StoreSettings,
} from '#domain';
import { aggregateStream, handleCommand, type EventStore } from '#event-store';

/** A stream's folded state and the revision it was folded at. */
interface Folded<S> {
  readonly revision: bigint | null;
  readonly state: S;
}

/**
 * The event-store side of one job's workflow steps: each reads the stream a step is given and
 * appends the command it decides, under the step's command id (derived from the job id), so a
 * resumed job's appends replay instead of doubling.
 */
export class IngestionJobStreams {
  readonly ids: ReturnType<typeof ingestionCommandIds>;
  /** The job's and the integration's states as last read: checked before every batch (see `stopsBeforeBatch`). */
  private readonly folded = new Map<string, Folded<unknown>>();

  constructor(
    private readonly store: EventStore,
    private readonly job: IngestionJob,
    private readonly now: () => string,
  ) {
    this.ids = ingestionCommandIds(job.jobId);
  }

  async readJob(): Promise<JobState> {
    return (await aggregateStream(this.store, jobStreamId(this.job.jobId), jobDecider)).state;
  }

  async sendToJob(command: JobCommand, commandId: string): Promise<void> {
    await handleCommand(this.store, jobStreamId(this.job.jobId), jobDecider, command, this.context(commandId));
  }

  async recordInitialSync(status: RecordWorkspaceSync['data']['status'], error: string | null): Promise<void> {
    const command = recordInitialSync(this.job, status, error, this.now());
    if (!command) return;
    const commandId = status === 'in_progress' ? this.ids.syncStarted : this.ids.syncEnded;
    await handleCommand(this.store, integrationStreamId(command.data.userId), integrationDecider, command, this.context(commandId));
  }

  async recordConfig(detection: ConfigDetection): Promise<void> {
    const command = recordConfig(this.job, detection, this.now());
    if (command) await this.sendToRepository(command, this.ids.config);
  }

  async ensureStore(slug: string): Promise<{ readonly storeId: string; readonly settings: StoreSettings }> {
    const { storeId, command } = ensureStore(this.job, slug, this.now());
    await handleCommand(this.store, storeStreamId(storeId), storeDecider, command, this.context(this.ids.store));
    const { state } = await aggregateStream(this.store, storeStreamId(storeId), storeDecider);
    return { storeId, settings: storeSettingsOf(state, slug) };
  }

  /** Before a batch: whether the job was cancelled, or is cancelled here because its initial sync's resource was disconnected. */
  async stopsBeforeBatch(): Promise<boolean> {
    if (stopsBeforeBatch(await this.readUnlessUnchanged(jobStreamId(this.job.jobId), jobDecider))) return true;
    const sync = initialSyncOf(this.job);
    if (!sync) return false;
    const state = await this.readUnlessUnchanged(integrationStreamId(sync.userId), integrationDecider);
    const cancel = cancelDisconnectedSync(this.job, state, this.now());
    if (!cancel) return false;
    await this.sendToJob(cancel, this.ids.disconnected);
    return true;
  }

  /**
   * A stream's state, folded again only when its head moved since the last read: before every batch
   * of a 100k-file sync that is one point read per stream instead of reading the streams whole.
   */
  private async readUnlessUnchanged<S>(streamId: string, decider: Parameters<typeof aggregateStream<never, S>>[2]): Promise<S> {
    const known = this.folded.get(streamId) as Folded<S> | undefined;
    if (known) {
      const head = await this.store.streamHead(streamId);
      if ((head?.revision ?? null) === known.revision) return known.state;
    }
    const { state, revision } = await aggregateStream(this.store, streamId, decider);
    this.folded.set(streamId, { state, revision });
    return state;
  }

  async finishReindex(): Promise<void> {
    const command = finishReindex(this.job, this.now());
    if (command) await this.sendToRepository(command, this.ids.finish);
  }

  private async sendToRepository(command: Parameters<typeof repositoryDecider.decide>[0], commandId: string): Promise<void> {
    try {
      await handleCommand(
        this.store,
        repositoryStreamId(this.job.organizationId, this.job.input.githubRepoId),
        repositoryDecider,
        command,
        this.context(commandId),
      );
    } catch (error) {
      if (!notThisOrganizations(error)) throw error;
    }
  }

  private context(commandId: string) {
    return { commandId, correlationId: this.job.jobId };
  }
}
