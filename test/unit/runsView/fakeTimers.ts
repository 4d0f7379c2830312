// A fake clock for the Runs view's scheduling: timers fire only when a test advances time,
// in order of due time (then of creation), with promise callbacks settled in between.
import type { Timers } from '../../../src/extension/runs/timers';

/** Lets every pending promise callback run (a macrotask comes after all microtasks). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeTimers implements Timers {
  private time = 0;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.due.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  /** Timers not yet fired or cleared. */
  get pending(): number {
    return this.due.size;
  }

  /** Moves the clock forward by `ms`, firing each timer due on the way at its own time. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.due) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.due.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
      await settle();
    }
    this.time = end;
  }
}
