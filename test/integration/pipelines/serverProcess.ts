import { spawn, type ChildProcess } from 'node:child_process';
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const serverJs = path.resolve(__dirname, '../../../dist/server.js');

export interface Published {
  uri: string;
  version?: number;
  diagnostics: { range: LspRange; message: string; code: string; severity: number; relatedInformation?: { location: { uri: string; range: LspRange }; message: string }[] }[];
}
export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/**
 * The built server over stdio in a child process with a heap cap, as a client runs it;
 * `rssMb` reads its resident memory (Linux /proc), `published` waits for diagnostics.
 */
export class ServerProcess {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  private readonly published: Published[] = [];
  private waiters: (() => void)[] = [];
  stderr = '';

  constructor(heapMb = 1024) {
    if (!existsSync(serverJs)) throw new Error(`${serverJs} is missing: run node esbuild.mjs first`);
    this.proc = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      this.published.push(p);
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.stderr += p.message + '\n';
    });
    this.conn.listen();
  }

  /** `workspaceFolders`: file URIs, as a client with a folder open sends them; `more`: capabilities and initializationOptions. */
  async initialize(workspaceFolders?: string[], more: { capabilities?: object; initializationOptions?: object } = {}): Promise<void> {
    const folders = workspaceFolders?.map((uri, i) => ({ uri, name: `folder${i}` }));
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: more.capabilities ?? {}, initializationOptions: more.initializationOptions, ...(folders ? { workspaceFolders: folders } : {}) });
    await this.conn.sendNotification('initialized', {});
  }

  /** Resolves with the diagnostics of `uri` (at `version`, when given), or rejects after `ms`. */
  diagnostics(uri: string, ms: number, version?: number): Promise<Published> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${ms} ms`)), ms);
      const check = () => {
        const i = this.published.findIndex((p) => p.uri === uri && (version === undefined || p.version === version));
        if (i < 0) return void this.waiters.push(check);
        clearTimeout(timer);
        resolve(this.published.splice(i, 1)[0]);
      };
      check();
    });
  }

  /** A request that must be answered within `ms`. */
  request<R>(method: string, params: unknown, ms: number): Promise<R> {
    return Promise.race([
      this.conn.sendRequest<R>(method, params),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${method} not answered within ${ms} ms`)), ms).unref()),
    ]);
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  rssMb(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  }

  get exited(): boolean {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  dispose(): void {
    this.conn.dispose();
    this.proc.kill('SIGKILL');
  }
}

/**
 * One server for the suite this is called in, with a temp folder of its own (`prefix`):
 * started in `before` (after `prepare` has written into the folder) and handed to `ready`;
 * after each test it must still run (a failed test prints its stderr); `after` disposes it
 * and removes the folder.
 */
export function serverPerSuite(prefix: string, ready: (server: ServerProcess, dir: string) => void, prepare?: (dir: string) => void): void {
  let server: ServerProcess | undefined;
  let dir = '';
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
    prepare?.(dir);
    server = new ServerProcess(1024);
    ready(server, dir);
    await server.initialize();
  });
  afterEach(function () {
    if (!server) return;
    if (this.currentTest?.state === 'failed') console.log(server.stderr.slice(-2000));
    assert.ok(!server.exited, `the server exited: ${server.stderr.slice(-500)}`);
  });
  after(() => {
    server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}
