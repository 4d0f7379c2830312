// One `mlflow models serve` child that we own: started from our argv, its output kept (the
// last lines, for a failure's message) and passed on line by line (to the MLOps log), and
// stopped with its whole process group — MLflow runs the scoring server (uvicorn) as a
// child of its own, which a signal to mlflow alone would leave listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { serveArgv, servingEnv, servingUrl, waitHealthy, type HealthResult, type ServePlan } from './serving';

const TAIL_LINES = 40;
// After SIGTERM, this long before SIGKILL.
const STOP_GRACE_MS = 5000;

export interface ServedModelOptions {
  onLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export class ServedModel {
  readonly url: string;
  readonly argv: string[];
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private exitReason?: string;
  private readonly exited: Promise<void>;

  constructor(
    readonly plan: ServePlan,
    o: ServedModelOptions = {},
  ) {
    this.url = servingUrl(plan.host, plan.port);
    this.argv = serveArgv(plan);
    this.child = spawn(this.argv[0], this.argv.slice(1), {
      env: servingEnv(plan, o.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: stop() signals mlflow and the uvicorn it started.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    let partial = '';
    const take = (chunk: Buffer) => {
      // MLflow's download progress bars redraw with \r: keep each redraw's last state only.
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const raw of lines) this.line(raw);
    };
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.exitReason = `could not start ${this.argv[0]}: ${err.message}`;
        resolve();
      });
      this.child.once('close', (code, signal) => {
        if (partial) this.line(partial);
        partial = '';
        this.exitReason ??= signal ? `the server stopped (${signal})` : `the server exited with code ${code}`;
        resolve();
      });
    });
    this.onLine = o.onLine;
  }

  private readonly onLine?: (line: string) => void;

  private line(raw: string): void {
    const text = raw.split('\r').filter(Boolean).pop()?.trimEnd() ?? '';
    if (!text) return;
    this.tail.push(text);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.onLine?.(text);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why the process is gone; undefined while it runs. */
  get exit(): string | undefined {
    return this.exitReason;
  }

  /** The last lines it wrote (stdout and stderr together). */
  logTail(lines = 12): string {
    return this.tail.slice(-lines).join('\n');
  }

  /** Until `/ping` answers, the process exits, the deadline passes or `cancelled()` says so. */
  waitHealthy(deadlineMs: number, cancelled?: () => boolean): Promise<HealthResult> {
    return waitHealthy(this.url, { deadlineMs, abort: () => this.exitReason ?? (cancelled?.() ? 'cancelled' : undefined) });
  }

  /** SIGTERM to the group, SIGKILL after a grace period; resolves when the process is gone. */
  async stop(): Promise<void> {
    if (this.exitReason) return;
    const signal = (s: NodeJS.Signals) => {
      try {
        if (this.child.pid && process.platform !== 'win32') process.kill(-this.child.pid, s);
        else this.child.kill(s);
      } catch {
        // Already gone.
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
    // The group may outlive mlflow by a moment (uvicorn shutting down): make sure it is gone.
    signal('SIGKILL');
  }

  /** Resolves when the process is gone, however it went. */
  whenExited(): Promise<void> {
    return this.exited;
  }
}
