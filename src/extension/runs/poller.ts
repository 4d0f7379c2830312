// Polls tracking servers while someone looks: a hidden view costs the server nothing,
// and a failing server is asked less and less often (doubling up to a ceiling) instead
// of being hammered and flooding the log.
import { systemTimers, type Timers } from './timers';

/** The wait before the next poll after `failures` failed polls in a row. */
export function nextDelay(baseMs: number, failures: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures, 30));
}

export interface PollerOptions {
  /** Read before each wait, so a changed setting applies at the next poll. */
  intervalMs(): number;
  maxMs: number;
  /** One poll; resolves false when it failed (and the next waits longer). */
  tick(): Promise<boolean>;
  timers?: Timers;
}

export class Poller {
  private timer: unknown;
  private active = false;
  private running = false;
  private disposed = false;
  /** Failed polls in a row. */
  failures = 0;

  private readonly timers: Timers;

  constructor(private readonly options: PollerOptions) {
    this.timers = options.timers ?? systemTimers;
  }

  /** Starts (visible view with a server) or pauses polling; starting again polls at once. */
  setActive(active: boolean): void {
    if (this.disposed || active === this.active) return;
    this.active = active;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (active) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (!this.active || this.disposed || this.running) return;
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    let ok = false;
    try {
      ok = await this.options.tick();
    } catch {
      ok = false;
    } finally {
      this.running = false;
    }
    this.failures = ok ? 0 : this.failures + 1;
    this.schedule(nextDelay(this.options.intervalMs(), this.failures, this.options.maxMs));
  }

  dispose(): void {
    this.disposed = true;
    this.timers.clearTimeout(this.timer);
  }
}
