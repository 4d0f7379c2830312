// The message half of the panel host, kept free of 'vscode' so it runs in plain unit
// tests: the ready handshake as a promise, the queue of posts until the webview listens,
// checked receipt, and one serial line of work per panel.
import { errorMessage } from '../../core/common/errors';

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
}

// Past this many queued posts the webview is not coming; older ones are dropped, since
// the ready handler sends the whole state again anyway.
const MAX_PENDING = 1000;

export class PanelChannel<In extends { type: string }, Out> {
  private readonly started = new Deferred();
  private listening = false;
  private pending: Out[] = [];
  private work: Promise<void> = Promise.resolve();
  private closed = false;

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

  close(): void {
    this.closed = true;
    this.pending = [];
    if (!this.started.done) this.started.reject(new Error(`the ${this.o.label} was closed before its webview started`));
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
