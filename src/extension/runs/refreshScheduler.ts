// When the Runs view reads its stores again. Apart from the tree and free of `vscode`, so
// the timing rules are unit-tested on a fake clock (test/unit/runsView/refreshScheduler.test.ts):
// - a burst of requests (training writes metrics every step) makes one refresh, but a store
//   that never stops changing must not postpone it: while changes keep coming, a refresh runs
//   at most MIN_REFRESH_GAP_MS after the first of them — or twice as long as the last refresh
//   took, so a large store is not read back to back — and never more than MAX_REFRESH_WAIT_MS
//   (a metric logged during training reaches an open chart within about 0.3 s + one listing:
//   bench/live-metric.bench.mjs);
// - while a local run is RUNNING its store is re-read every LIVE_POLL_MS, file events or not:
//   they are not guaranteed (network and bind mounts, WSL, a watcher under load drops them)
//   and a training run must not look frozen (d7b6ed9). The chart panels follow the same
//   refreshes, so this does not wait for the view to be visible;
// - tracking servers are polled only while the view is visible, less often while they fail.
import { Poller } from './poller';
import { systemTimers, type Timers } from './timers';

/** A file event in a store waits this long for more (one logged step writes several rows: one refresh per burst). */
export const FILE_EVENT_DELAY_MS = 200;
/** While changes keep coming (live training), a refresh waits at most this long after the first, when listing is quick. */
export const MIN_REFRESH_GAP_MS = 300;
/** The longest a debounced refresh waits while changes keep coming, however slow the listing. */
export const MAX_REFRESH_WAIT_MS = 2000;
/** How often the stores of a RUNNING local run are re-read (see the top of the file). */
export const LIVE_POLL_MS = 5000;
/** A server that keeps failing is asked at most this often. */
export const MAX_SERVER_POLL_MS = 5 * 60_000;

/** Why the view reads its stores again; named in the log's debug line of each refresh. */
export type RefreshCause = 'file event' | 'live poll' | 'server poll' | 'command' | 'setting' | 'workspace folders' | 'credentials' | 'first listing' | 'api';

export interface RefreshRequest {
  /** Search for stores again (one may have appeared or gone). */
  rediscover?: boolean;
  /** false: a local file changed, so tracking servers keep to their polling pace. */
  servers?: boolean;
  /** Debounce: wait this long for more requests (never past the refresh gap after the first: see the top of the file). */
  delayMs?: number;
  /** 'api' when not given (tests, other features). */
  cause?: RefreshCause;
}

/** The requests one refresh answers, coalesced. */
export interface RefreshBatch {
  rediscover: boolean;
  servers: boolean;
  /** Each cause with how many requests of it were coalesced, in order of first arrival. */
  causes: ReadonlyMap<RefreshCause, number>;
}

/** The debug line of one refresh, e.g. `Runs: refresh (file event ×12, live poll); local stores only`. */
export function describeRefresh(batch: RefreshBatch): string {
  const causes = [...batch.causes].map(([cause, n]) => (n > 1 ? `${cause} ×${n}` : cause)).join(', ');
  const scope = batch.rediscover ? '; searching for stores again' : batch.servers ? '' : '; local stores only';
  return `Runs: refresh (${causes})${scope}`;
}

/** Whether a store read from files (not a tracking server, which is polled) has a RUNNING run. */
export function hasRunningLocalRun(sources: Iterable<{ spec: { kind: string }; listing?: { runs: readonly { status: string }[] } }>): boolean {
  for (const s of sources) if (s.spec.kind !== 'mlflow-rest' && s.listing?.runs.some((r) => r.status === 'RUNNING')) return true;
  return false;
}

export interface RefreshSchedulerOptions {
  /** One coalesced refresh: read the stores and redraw. */
  refresh(batch: RefreshBatch): Promise<void>;
  /** Lists the tracking servers again; resolves false when one failed or warned. */
  pollServers(): Promise<boolean>;
  /** The server polling interval; read before each wait, so a changed setting applies. */
  serverPollMs(): number;
  /** Debug lines: the cause of each refresh, the server backoff. */
  log(line: string): void;
  timers?: Timers;
  maxServerPollMs?: number;
}

export class RefreshScheduler {
  private readonly timers: Timers;
  private readonly poller: Poller;
  private pending: { rediscover: boolean; servers: boolean; causes: Map<RefreshCause, number> } | undefined;
  private pendingSince: number | undefined;
  private timer: unknown;
  private waiters: (() => void)[] = [];
  private liveTimer: unknown;
  private disposed = false;
  /** How long the last refresh took: twice that is the least wait while changes keep coming. */
  private lastRefreshMs = 0;
  private lastStarted = 0;
  /** A refresh is reading: the next one starts when it is done, never beside it. */
  private inFlight = false;
  private fireWhenDone = false;

  constructor(private readonly options: RefreshSchedulerOptions) {
    this.timers = options.timers ?? systemTimers;
    this.poller = new Poller({
      intervalMs: options.serverPollMs,
      maxMs: options.maxServerPollMs ?? MAX_SERVER_POLL_MS,
      timers: this.timers,
      tick: async () => {
        options.log(describeRefresh({ rediscover: false, servers: true, causes: new Map([['server poll', 1]]) }));
        const ok = await options.pollServers().catch(() => false);
        if (!ok) options.log(`Runs: the tracking server did not answer in full (${this.poller.failures + 1} polls in a row); polling less often`);
        return ok;
      },
    });
  }

  /** Asks for a refresh; resolves once the refresh that answers it is done. */
  request(req: RefreshRequest = {}): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const batch = (this.pending ??= { rediscover: false, servers: false, causes: new Map() });
    batch.rediscover ||= !!req.rediscover;
    batch.servers ||= req.servers !== false;
    const cause = req.cause ?? 'api';
    batch.causes.set(cause, (batch.causes.get(cause) ?? 0) + 1);
    const now = this.timers.now();
    this.pendingSince ??= now;
    const gap = Math.min(MAX_REFRESH_WAIT_MS, Math.max(MIN_REFRESH_GAP_MS, 2 * this.lastRefreshMs));
    // A debounced refresh also starts no sooner than twice the last one's time after it started:
    // a store that takes long to list is read at most half the time, however often it changes.
    const spaced = req.delayMs ? this.lastStarted + Math.min(MAX_REFRESH_WAIT_MS, 2 * this.lastRefreshMs) - now : 0;
    const delay = Math.max(0, spaced, Math.min(req.delayMs ?? 0, this.pendingSince + gap - now));
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.fire(), delay);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private fire(): void {
    if (this.inFlight) {
      this.fireWhenDone = true;
      return;
    }
    const batch = this.pending;
    const waiters = this.waiters;
    this.timer = this.pending = this.pendingSince = undefined;
    this.waiters = [];
    if (!batch) return;
    this.options.log(describeRefresh(batch));
    const started = (this.lastStarted = this.timers.now());
    this.inFlight = true;
    // Requests that arrive while this one reads make the next batch, which starts once this one is done.
    void this.options
      .refresh(batch)
      .catch((err) => this.options.log(`Runs: refresh failed: ${err instanceof Error ? err.message : String(err)}`))
      .then(() => {
        this.inFlight = false;
        this.lastRefreshMs = this.timers.now() - started;
        waiters.forEach((w) => w());
        if (this.fireWhenDone && !this.disposed) {
          this.fireWhenDone = false;
          this.fire();
        }
      });
  }

  /** After each listing: while a local run is RUNNING, its stores are read again in LIVE_POLL_MS. */
  setLocalRunning(running: boolean): void {
    this.timers.clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
    if (!running || this.disposed) return;
    this.liveTimer = this.timers.setTimeout(() => {
      this.liveTimer = undefined;
      void this.request({ servers: false, cause: 'live poll' });
    }, LIVE_POLL_MS);
  }

  /** Polls the tracking servers while true (a visible view with a server and polling on); true again polls at once. */
  setServerPolling(active: boolean): void {
    this.poller.setActive(active);
  }

  /** Failed server polls in a row. */
  get serverFailures(): number {
    return this.poller.failures;
  }

  /** Stops every timer; a request waiting for a refresh that will not come resolves now. */
  dispose(): void {
    this.disposed = true;
    this.timers.clearTimeout(this.timer);
    this.timers.clearTimeout(this.liveTimer);
    this.timer = this.liveTimer = this.pending = this.pendingSince = undefined;
    this.poller.dispose();
    this.waiters.splice(0).forEach((w) => w());
  }
}
