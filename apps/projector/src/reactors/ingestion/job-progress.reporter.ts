import { reportProgress } from '#domain';
import type { IngestionJobStreams } from './ingestion-job.streams.js';

/** `JobProgressed` at most once per interval, and once more at the end, so a 100k-file job's stream stays short. */
export class JobProgressReporter {
  private processed = 0;
  private reported = -1;
  private lastAt = 0;

  constructor(
    private readonly streams: IngestionJobStreams,
    private readonly total: number,
    private readonly intervalMs: number,
    private readonly now: () => string,
  ) {}

  async advance(count: number): Promise<void> {
    this.processed += count;
    if (Date.now() - this.lastAt >= this.intervalMs) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.processed === this.reported) return;
    this.lastAt = Date.now();
    this.reported = this.processed;
    await this.streams.sendToJob(reportProgress(this.processed, this.total, this.now()), this.streams.ids.progress(this.processed));
  }
}
