// Which hosts the idle auto-stop must probe by itself. The Workspaces view's refresh only
// runs while the view is visible and the host expanded; a workspace with an idle limit
// must still be stopped when nobody looks. So each host where the user's own running
// workspaces asked for a limit is probed in the background once its last snapshot (the
// view's or ours) is older than the interval; a host with none is dropped, so nothing is
// probed when no such workspace exists. Pure: the clock comes in.

/** A background probe of a watched host at most this often (the view's refresh makes it rarer). */
export const BACKGROUND_PROBE_MS = 60_000;

interface Watched {
  /** When the host last had a snapshot (or a probe of it failed). */
  lastAt: number;
  probing: boolean;
}

export class IdleProbePlan {
  private readonly hosts = new Map<string, Watched>();

  constructor(private readonly intervalMs = BACKGROUND_PROBE_MS) {}

  /**
   * A snapshot of `host` came in, from the view or from a background probe. `watched`: it
   * lists the user's running workspaces with a limit (true), none (false), or the listing
   * failed (undefined: keep watching as before, retry after the interval).
   */
  seen(host: string, now: number, watched: boolean | undefined): void {
    const w = this.hosts.get(host);
    if (watched === false) {
      this.hosts.delete(host);
      return;
    }
    if (w) w.lastAt = now;
    else if (watched) this.hosts.set(host, { lastAt: now, probing: false });
  }

  /** A workspace with a limit was just launched there (maybe with the view hidden): watch it from now on. */
  add(host: string, now: number): void {
    if (!this.hosts.has(host)) this.hosts.set(host, { lastAt: now, probing: false });
  }

  /** A watched host from an earlier window: probed at the first tick, not one interval later. */
  restore(host: string): void {
    if (!this.hosts.has(host)) this.hosts.set(host, { lastAt: -Infinity, probing: false });
  }

  /**
   * The hosts to probe now: watched, without a snapshot for an interval, and no probe of ours out.
   * Each is marked as probing until `done`, so at most one probe per host is out at a time.
   */
  due(now: number): string[] {
    const out: string[] = [];
    for (const [host, w] of this.hosts) {
      if (w.probing || now - w.lastAt < this.intervalMs) continue;
      w.probing = true;
      out.push(host);
    }
    return out;
  }

  /** The probe of `host` ended (its snapshot, if any, came through `seen` first). */
  done(host: string, now: number): void {
    const w = this.hosts.get(host);
    if (!w) return;
    w.probing = false;
    w.lastAt = Math.max(w.lastAt, now);
  }

  /** The host is not configured any more. */
  forget(host: string): void {
    this.hosts.delete(host);
  }

  watched(): string[] {
    return [...this.hosts.keys()];
  }

  get size(): number {
    return this.hosts.size;
  }
}
