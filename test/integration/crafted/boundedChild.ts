// Runs a reader on a crafted input in a child process with a heap cap and a kill timer:
// a loop or an uncatchable V8 abort then shows as a timeout or a non-zero exit here,
// instead of hanging or killing the test runner (as it would the extension host).
import { spawn } from 'node:child_process';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

export function runBounded(script: string, args: string[], opts: { heapMb: number; timeoutMs: number }): Promise<ChildResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [`--max-old-space-size=${opts.heapMb}`, '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString().slice(0, 4000)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, ms: Date.now() - started, stdout, stderr });
    });
  });
}

/** The last line a child printed, as JSON (the child prints its result last). */
export function lastJson<T>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
