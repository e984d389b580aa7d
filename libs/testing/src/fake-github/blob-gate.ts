export interface BlobGate {
  /** Resolves once `count` blob requests are being held. */
  waitForHeld(count: number): Promise<void>;
  /** Answers the held requests and lets every later one through. */
  release(): void;
}

interface Gate {
  passing: number;
  readonly held: Array<() => void>;
  readonly waiters: Array<{ count: number; resolve: () => void }>;
}

/**
 * Holds blob requests (REST blob reads and GraphQL queries) after the first `passing` ones until
 * released, so a test can stop or cancel an ingestion at a known point instead of racing it.
 */
export class BlobGates {
  private gate: Gate | null = null;

  /** True when the gate keeps this request for later (`answer` runs on release). */
  held(answer: () => void): boolean {
    const gate = this.gate;
    if (!gate) return false;
    if (gate.passing > 0) {
      gate.passing--;
      return false;
    }
    gate.held.push(answer);
    for (const waiter of gate.waiters.filter((w) => gate.held.length >= w.count)) waiter.resolve();
    return true;
  }

  hold(passing: number): BlobGate {
    const gate: Gate = { passing, held: [], waiters: [] };
    this.gate = gate;
    return {
      waitForHeld: (count) =>
        gate.held.length >= count ? Promise.resolve() : new Promise<void>((resolve) => gate.waiters.push({ count, resolve })),
      release: () => {
        if (this.gate === gate) this.gate = null;
        for (const answer of gate.held.splice(0)) answer();
      },
    };
  }
}
