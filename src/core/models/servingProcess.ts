// One model server child that we own (`mlflow models serve`, or `mlserver start`): started from our argv, its output kept (the
// last lines, for a failure's message) and passed on line by line (to the MLOps log), and
// stopped with its whole process group — MLflow runs the scoring server (uvicorn) as a
// child of its own, which a signal to mlflow alone would leave listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { mlflowLaunch, waitHealthy, type HealthResult, type ServeLaunch, type ServePlan } from './serving';

const TAIL_LINES = 40;
// After SIGTERM, this long before SIGKILL.
const STOP_GRACE_MS = 5000;

export interface ServedModelOptions {
  onLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Another server than `mlflow models serve` (MLServer); its env is used as it is. */
  launch?: ServeLaunch;
}

/**
 * A model server the Models view lists and Try Model talks to: a child of ours
 * (`ServedModel`), or one started inside a workspace container (`WorkspaceServer`).
 */
export interface RunningServer {
  readonly url: string;
  readonly argv: string[];
  readonly launch: ServeLaunch;
  readonly plan: Omit<ServePlan, 'mlflow'>;
  readonly pid: number | undefined;
  /** Why it is gone; undefined while it runs. */
  readonly exit: string | undefined;
  /** Where it runs, when not on this machine ("workspace gpu-box on lab"). */
  readonly where?: string;
  logTail(lines?: number): string;
  waitHealthy(deadlineMs: number, cancelled?: () => boolean): Promise<HealthResult>;
  stop(): Promise<void>;
  whenExited(): Promise<void>;
  /** Lets go of it without stopping it (the user chose to keep it running); absent: not possible. */
  detach?(): Promise<void>;
}

export class ServedModel implements RunningServer {
  readonly url: string;
  readonly argv: string[];
  readonly launch: ServeLaunch;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private exitReason?: string;
  /** The launch's fatal line, when the log showed one (the process may still be up). */
  private fatal?: string;
  private readonly exited: Promise<void>;

  constructor(
    /** What is served where; `mlflow` is needed unless `o.launch` says how to start it. */
    readonly plan: Omit<ServePlan, 'mlflow'> & { mlflow?: string },
    o: ServedModelOptions = {},
  ) {
    const mlflow = plan.mlflow;
    if (!o.launch && !mlflow) throw new Error('serving: no mlflow executable and no launch');
    this.launch = o.launch ?? mlflowLaunch({ ...plan, mlflow: mlflow! }, o.env);
    this.url = this.launch.url;
    this.argv = this.launch.argv;
    this.child = spawn(this.argv[0], this.argv.slice(1), {
      env: this.launch.env,
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
        void (this.launch.cleanup?.() ?? Promise.resolve()).catch(() => undefined).then(() => resolve());
      });
      this.child.once('close', (code, signal) => {
        if (partial) this.line(partial);
        partial = '';
        this.exitReason ??= signal ? `the server stopped (${signal})` : `the server exited with code ${code}`;
        // Its files are removed before anyone waiting on the exit goes on.
        void (this.launch.cleanup?.() ?? Promise.resolve()).catch(() => undefined).then(() => resolve());
      });
    });
    this.onLine = o.onLine;
  }

  private readonly onLine?: (line: string) => void;

  private line(raw: string): void {
    const text = raw.split('\r').filter(Boolean).pop()?.trimEnd() ?? '';
    if (!text) return;
    if (!this.fatal && this.launch.fatalLine?.test(text)) this.fatal = text;
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

  /** Until the health route answers, the process exits, the deadline passes or `cancelled()` says so. */
  waitHealthy(deadlineMs: number, cancelled?: () => boolean): Promise<HealthResult> {
    return waitHealthy(this.url, {
      deadlineMs,
      healthPath: this.launch.healthPath,
      // The fatal line first: it says more than the exit that may follow it.
      abort: () => (this.fatal && `the model did not load (${this.fatal})`) || this.exitReason || (cancelled?.() ? 'cancelled' : undefined),
    });
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
