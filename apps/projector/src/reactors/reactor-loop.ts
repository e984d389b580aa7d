import type { CheckpointWaiter } from '#read-models';

export interface ReactorLoopOptions {
  readonly checkpoints: CheckpointWaiter;
  /** The projection whose committed batches wake the loop (its NOTIFY). */
  readonly wakeOn: string;
  /** A safety net under the wake-ups. */
  readonly pollIntervalMs: number;
  /** Rounds start at most this often; woken sooner, the next round waits. */
  readonly minRoundIntervalMs?: number;
  /** A round that threw: the loop goes on with the next. */
  readonly onError: (error: unknown) => void;
}

/**
 * A reactor's work loop: one round at a time, started when `wakeOn` commits a batch or after
 * `pollIntervalMs`, until stopped. A wake-up during a round starts the next one right after it, so
 * none is lost; several during one round start only one.
 */
export class ReactorLoop {
  private readonly abort = new AbortController();
  private wakeUp: () => void = () => undefined;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly options: ReactorLoopOptions,
    private readonly round: () => Promise<void>,
  ) {}

  /** Aborted once `stop` is called: long work checks it between steps. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.options.checkpoints.onAdvance(this.options.wakeOn, () => this.wake());
    this.running = this.run();
  }

  /** Starts the next round as soon as the current one (if any) ends. */
  wake(): void {
    this.wakeUp();
  }

  /** Ends after the round in progress, if any. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    this.unsubscribe?.();
    await this.running;
  }

  private async run(): Promise<void> {
    const { pollIntervalMs, minRoundIntervalMs = 0 } = this.options;
    while (!this.signal.aborted) {
      const woken = new Promise<void>((resolve) => (this.wakeUp = resolve));
      const started = Date.now();
      try {
        await this.round();
      } catch (error) {
        if (!this.signal.aborted) this.options.onError(error);
      }
      await this.pause(pollIntervalMs, woken);
      const early = minRoundIntervalMs - (Date.now() - started);
      if (early > 0) await this.pause(early);
    }
  }

  /** Waits `ms`, or less when woken (if given) or stopped. */
  private async pause(ms: number, woken?: Promise<void>): Promise<void> {
    if (this.signal.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (onAbort = resolve));
    // Removed after each pause: a listener left per round would pile up on the loop's one signal.
    this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([stopped, ...(woken ? [woken] : []), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onAbort);
    }
  }
}
