// Running the DVC CLI for what only DVC does (checkout, get, pull, push, add, remote
// kinds we do not read natively): argv arrays (no shell), cancellable, line output for
// progress. The dvc's own folder goes first on PATH so a venv's dvc finds its python.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { DataError } from './dataErrors';

export interface DvcRunOptions {
  cwd: string;
  signal?: AbortSignal;
  /** Each line of output (stdout and stderr), for progress. */
  onLine?(line: string): void;
  /** stdout as it comes, unsplit (a log shown as it is written). */
  onStdout?(chunk: string): void;
  /** Added to the environment. */
  env?: Record<string, string>;
  /**
   * The command starts a background process that keeps our output pipes open
   * (`dvc queue start`: its workers inherit them): done when dvc itself exits, not when
   * the pipes close.
   */
  detaches?: boolean;
}

// After a detaching command exits, what it wrote is read for this long before its pipes are let go.
const DETACH_GRACE_MS = 300;

export interface DvcResult {
  stdout: string;
  stderr: string;
}

export function runDvc(dvc: string, args: string[], options: DvcRunOptions): Promise<DvcResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new DataError('dvc-cli', `dvc ${args[0]} was cancelled.`));
    const env = { ...process.env, ...options.env, DVC_NO_ANALYTICS: '1', PATH: `${path.dirname(dvc)}${path.delimiter}${process.env.PATH ?? ''}` };
    const child = spawn(dvc, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines = (chunk: string) => {
      if (!options.onLine) return;
      const parts = (partial + chunk).split(/\r?\n|\r/);
      partial = parts.pop() ?? '';
      for (const l of parts) if (l.trim()) options.onLine(l.trim());
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      lines(d);
      options.onStdout?.(d);
    });
    child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), lines(d.toString())));
    const onAbort = () => child.kill('SIGINT');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.detaches) {
      child.on('exit', () => {
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
        }, DETACH_GRACE_MS).unref();
      });
    }
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(new DataError('dvc-cli', `Cannot run ${dvc}: ${err.message}. Install DVC (pip install dvc) and set mlops.dvc.path to its dvc executable.`));
    });
    child.on('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new DataError('dvc-cli', `dvc ${args[0]} was cancelled.`));
      if (code === 0) return resolve({ stdout, stderr });
      const why = (stderr || stdout).trim().split('\n').filter((l) => l.trim()).slice(-4).join('\n');
      reject(new DataError('dvc-cli', `dvc ${args.join(' ')} failed (${sig ?? `exit ${code}`}): ${why || 'no output'}`));
    });
  });
}

/** `dvc data status --json` (optionally with --not-in-remote), parsed. */
export async function dvcDataStatus(dvc: string, cwd: string, opts: { notInRemote?: boolean; signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
  const args = ['data', 'status', '--json', ...(opts.notInRemote ? ['--not-in-remote'] : [])];
  const { stdout } = await runDvc(dvc, args, { cwd, signal: opts.signal });
  return JSON.parse(stdout || '{}') as Record<string, unknown>;
}
