// The message half of the panel host, kept free of 'vscode' so it runs in plain unit
// tests: the ready handshake as a promise, the queue of posts until the webview listens,
// checked receipt, and one serial line of work per panel.
import { errorMessage } from '../../core/common/errors';
import type { ProbeReply, ProbeRequest } from '../../protocol/panels';

/** A promise with its resolve/reject outside, for "the webview has started" (no polling). */
export class Deferred<T = void> {
  readonly promise: Promise<T>;
  private settled = false;
  resolve!: (value: T) => void;
  reject!: (err: Error) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = (v) => {
        this.settled = true;
        resolve(v);
      };
      this.reject = (e) => {
        this.settled = true;
        reject(e);
      };
    });
    // A panel closed before it started rejects this; nobody waiting is not an error.
    this.promise.catch(() => undefined);
  }

  get done(): boolean {
    return this.settled;
  }
}

export interface ChannelLog {
  warn(message: string): void;
  error(message: string): void;
}

export interface PanelChannelOptions<In extends { type: string }, Out> {
  /** "Metrics panel": the start of each log line. */
  label: string;
  /** The protocol's `parse*` check of what the webview sent. */
  parse: (raw: unknown) => In | undefined;
  /** Sends one message to the webview. */
  send: (m: Out) => void;
  /** Handles a checked message; `ready` too, which is where a panel posts its first state. */
  handle: (m: In) => Promise<void> | void;
  log: ChannelLog;
  /**
   * Test-only: `probe()` may ask the webview what it shows (the E2E suites do, see
   * src/protocol/panels.ts). Off in use: no probe is sent and a reply is ignored.
   */
  probes?: boolean;
}

/** What a webview's probe reply carries, from the panel's incoming message type. */
export type ProbeData<In> = In extends ProbeReply<infer T> ? T : never;

// Past this many queued posts the webview is not coming; older ones are dropped, since
// the ready handler sends the whole state again anyway.
const MAX_PENDING = 1000;

export class PanelChannel<In extends { type: string }, Out> {
  private readonly started = new Deferred();
  private listening = false;
  private pending: Out[] = [];
  private work: Promise<void> = Promise.resolve();
  private closed = false;
  private probeId = 0;
  private readonly probing = new Map<number, Deferred<unknown>>();

  constructor(private readonly o: PanelChannelOptions<In, Out>) {}

  /** True once the webview's script ran and its first `ready` was handled. */
  get ready(): boolean {
    return this.started.done && !this.closed;
  }

  /** Posts now if the webview listens, else queues until its `ready`. */
  post(m: Out): void {
    if (this.closed) return;
    if (this.listening) {
      this.o.send(m);
      return;
    }
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    this.pending.push(m);
  }

  /** Runs `work` after everything queued before it; a failure is logged, not thrown. */
  queue(work: () => Promise<void> | void): Promise<void> {
    this.work = this.work.then(work).catch((err) => this.o.log.error(`${this.o.label}: ${errorMessage(err)}`));
    return this.work;
  }

  /** Everything the webview sends comes here: checked, then handled in order. */
  receive(raw: unknown): Promise<void> {
    const m = this.o.parse(raw);
    if (!m) {
      this.o.log.warn(`${this.o.label}: ignored a malformed message from the webview: ${preview(raw)}`);
      return Promise.resolve();
    }
    if (m.type === 'probeReply') {
      this.answerProbe(m as unknown as ProbeReply<unknown>);
      return Promise.resolve();
    }
    if (m.type === 'ready') {
      // A webview that was hidden without retained context starts again and says ready
      // again: it listens from now on and gets its state anew from the handler.
      this.listening = true;
      const queued = this.pending.splice(0);
      for (const q of queued) this.o.send(q);
    }
    return this.queue(async () => {
      await this.o.handle(m);
      if (m.type === 'ready') this.started.resolve();
    });
  }

  /** Resolves once the webview started and its first state was sent, and the work before now is done. */
  async whenReady(timeoutMs = 30000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the ${this.o.label} webview did not start within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.started.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
    await this.work;
  }

  /**
   * Test-only: what the webview shows now, from its answer to a `probe` message. Throws
   * unless the channel was made with `probes` on (the extension runs under the E2E runner).
   */
  async probe(timeoutMs = 10000): Promise<ProbeData<In>> {
    if (!this.o.probes) throw new Error(`${this.o.label}: probes are for the E2E tests only (MLOPS_E2E=1)`);
    if (this.closed) throw new Error(`the ${this.o.label} was closed`);
    const id = ++this.probeId;
    const answer = new Deferred<unknown>();
    this.probing.set(id, answer);
    const timer = setTimeout(() => answer.reject(new Error(`the ${this.o.label} webview did not answer probe ${id} within ${timeoutMs} ms`)), timeoutMs);
    // Queued like every post until the webview listens: a probe right after opening waits for it.
    this.post({ type: 'probe', id } satisfies ProbeRequest as Out);
    try {
      return (await answer.promise) as ProbeData<In>;
    } finally {
      clearTimeout(timer);
      this.probing.delete(id);
    }
  }

  private answerProbe(m: ProbeReply<unknown>): void {
    const waiting = this.o.probes ? this.probing.get(m.id) : undefined;
    if (!waiting) {
      this.o.log.warn(`${this.o.label}: ignored a probe reply nobody asked for (id ${m.id})`);
      return;
    }
    waiting.resolve(m.data);
  }

  close(): void {
    this.closed = true;
    this.pending = [];
    if (!this.started.done) this.started.reject(new Error(`the ${this.o.label} was closed before its webview started`));
    for (const p of this.probing.values()) p.reject(new Error(`the ${this.o.label} was closed`));
  }
}

function preview(raw: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(raw);
  } catch {
    s = undefined;
  }
  return (s ?? String(raw)).slice(0, 200);
}
