interface Read<T, R> {
  readonly item: T;
  readonly result: Promise<R>;
  /** Read successfully: may join the group being taken without waiting. */
  done: boolean;
  value?: R;
}

/**
 * Reads items in order with up to `ahead` reads in flight, and hands them out in that order: the
 * next one (waited for), with those after it that are already read. A failed read fails the take
 * that starts with it (the ones before it are handed out first); reads left behind by an early exit
 * never surface as unhandled rejections.
 */
export class ReadAhead<T, R> {
  private readonly inFlight: Read<T, R>[] = [];
  private next = 0;

  constructor(
    private readonly items: readonly T[],
    private readonly read: (item: T) => Promise<R>,
    private readonly ahead: number,
  ) {}

  get hasNext(): boolean {
    return this.inFlight.length > 0 || this.next < this.items.length;
  }

  /**
   * At least one item (the next), then the ready ones after it while there are fewer than `max` and
   * `fits` accepts them; the window is refilled before returning, so reads go on meanwhile.
   */
  async takeReady(
    max: number,
    fits: (taken: readonly R[], next: R) => boolean = () => true,
  ): Promise<Array<{ readonly item: T; readonly value: R }>> {
    this.fill();
    const taken: Array<{ readonly item: T; readonly value: R }> = [];
    const first = this.inFlight.shift();
    if (!first) return taken;
    taken.push({ item: first.item, value: await first.result });
    while (taken.length < max && this.inFlight[0]?.done) {
      const { item, value } = this.inFlight[0];
      if (
        !fits(
          taken.map((t) => t.value),
          value as R,
        )
      )
        break;
      this.inFlight.shift();
      taken.push({ item, value: value as R });
    }
    this.fill();
    return taken;
  }

  private fill(): void {
    while (this.inFlight.length < this.ahead && this.next < this.items.length) {
      const item = this.items[this.next++]!;
      const read: Read<T, R> = { item, result: this.read(item), done: false };
      read.result.then(
        (value) => {
          read.value = value;
          read.done = true;
        },
        () => undefined,
      );
      this.inFlight.push(read);
    }
  }
}
