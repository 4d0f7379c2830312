// How capture runs a program: injected, so the same capture works on this machine, inside
// a workspace container (docker exec) and in unit tests (canned answers).
import { spawn } from 'node:child_process';

export interface RunOutcome {
  /** Exit status; null when the program could not start or ended on a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout was longer than maxBytes and was cut there. */
  truncated?: boolean;
}

export interface RunOptions {
  cwd?: string;
  /** Keep at most this many bytes of stdout (the rest is read and dropped). */
  maxBytes?: number;
  /** Give up after this long (code null). */
  timeoutMs?: number;
  /** Variables added to the environment (GIT_INDEX_FILE for a temporary index). */
  env?: Readonly<Record<string, string>>;
}

export type Runner = (argv: readonly string[], opts?: RunOptions) => Promise<RunOutcome>;

/** Runs programs on this machine (argv, never a shell); a missing program is code 127, not a throw. */
export const nodeRunner: Runner = (argv, opts = {}) =>
  new Promise((resolve) => {
    const max = opts.maxBytes ?? 4 * 1024 * 1024;
    const out: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    let err = '';
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}), stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.stdout.on('data', (d: Buffer) => {
      if (kept >= max) return void (truncated = true);
      const part = kept + d.length > max ? d.subarray(0, max - kept) : d;
      if (part.length < d.length) truncated = true;
      out.push(part);
      kept += part.length;
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 64 * 1024) err += d.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      resolve({ code: e.code === 'ENOENT' ? 127 : null, stdout: '', stderr: e.message });
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: err, truncated });
    });
  });
