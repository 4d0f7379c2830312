// The language server in a child over stdio, as an editor runs it, with the few client
// calls the fuzz needs: open/change a document, tell it files changed on disk, ask a
// request with a deadline, wait for the next diagnostics of a document.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

const root = path.resolve(__dirname, '../../..');
const built = path.join(root, 'dist', 'server.js');
// USER_HZ: 100 on every Linux the project runs on (the kernel's ABI, not CONFIG_HZ).
const CLOCK_TICKS = 100;

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
export interface LspDiagnostic {
  range: LspRange;
  message: string;
  relatedInformation?: { location: { uri: string; range: LspRange }; message: string }[];
}
export interface Published {
  uri: string;
  version?: number;
  diagnostics: LspDiagnostic[];
}

export class LspChild {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  /** Which build runs: dist/server.js (what ships), or the sources through tsx when unbuilt. */
  readonly what: string;
  private readonly waiters = new Map<string, (p: Published) => void>();
  exitReason?: string;
  /** Errors the server logged since the last `takeErrors`. */
  private errors: string[] = [];
  stderr = '';

  constructor(heapMb: number) {
    const args = existsSync(built) ? [built] : ['--import', 'tsx', path.join(root, 'src', 'server', 'server.ts')];
    this.what = existsSync(built) ? 'dist/server.js' : 'src/server/server.ts (tsx; dist/server.js is not built)';
    this.proc = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...args, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-4000)));
    this.proc.on('exit', (code, signal) => (this.exitReason = `the server exited (${signal ?? code}): ${this.stderr.trim().slice(-1500)}`));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Published) => this.waiters.get(p.uri)?.(p));
    // The server logs a handler that threw (answered with an empty fallback) as an error.
    this.conn.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      if (p.type === 1) this.errors.push(p.message.slice(0, 500));
    });
    this.conn.onError(() => undefined);
    this.conn.listen();
  }

  async initialize(): Promise<void> {
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await this.conn.sendNotification('initialized', {});
  }

  /** The next diagnostics published for `uri` after this call (and `send`), within `ms`. */
  async published(uri: string, ms: number, send: () => Promise<void>): Promise<Published | 'timeout'> {
    const next = new Promise<Published | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), ms);
      this.waiters.set(uri, (p) => {
        clearTimeout(timer);
        this.waiters.delete(uri);
        resolve(p);
      });
    });
    await send();
    return next;
  }

  /** A request's answer, or 'timeout' past `ms`. */
  request<R>(method: string, params: unknown, ms: number): Promise<R | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.conn.sendRequest<R>(method, params).finally(() => clearTimeout(timer)),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
    ]);
  }

  takeErrors(): string[] {
    return this.errors.splice(0);
  }

  /**
   * CPU time the server has used (user + system, Linux /proc; NaN elsewhere). The reply
   * bound is checked on this: on a CI machine shared by many jobs the wall time of a reply
   * is mostly waiting for a core, which says nothing about the server.
   */
  cpuMs(): number {
    try {
      const fields = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      return NaN;
    }
  }

  /** Peak resident memory of the server so far (Linux /proc; NaN elsewhere). */
  peakRssMb(): number {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  get exited(): boolean {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  dispose(): void {
    this.conn.dispose();
    this.proc.kill('SIGKILL');
  }
}
