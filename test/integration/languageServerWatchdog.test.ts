// The language server's watchdog: the built server (dist/server.js) over stdio, with a
// worker whose checks spin or allocate without bound on request (fixtures/
// languageWorkerWithFaults.ts, bundled here). The request at fault is answered empty and
// its file says it was not checked; the server and the other files' diagnostics live on.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

type Published = { uri: string; diagnostics: { message: string; severity: number }[] };
const serverJs = path.resolve(__dirname, '../../dist/server.js');

/** dist/server.js over stdio with the faulty worker and `deadlineMs` per request. */
class Server {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  private readonly published: Published[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(workerJs: string, deadlineMs: number) {
    this.proc = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, MLOPS_LS_WORKER: workerJs, MLOPS_LS_DEADLINE_MS: String(deadlineMs) } });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      this.published.push(p);
      this.waiters.splice(0).forEach((w) => w());
    });
    this.conn.listen();
  }

  async init(): Promise<this> {
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await this.conn.sendNotification('initialized', {});
    return this;
  }

  open(uri: string, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  }

  /** The next diagnostics published for `uri` (waits for the notification, no sleep). */
  async diagnosticsOf(uri: string): Promise<Published['diagnostics']> {
    for (;;) {
      const i = this.published.findIndex((p) => p.uri === uri);
      if (i >= 0) return this.published.splice(i, 1)[0].diagnostics;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  close(): void {
    this.conn.dispose();
    this.proc.kill();
  }
}

describe('language server watchdog (dist/server.js, a misbehaving worker)', function () {
  this.timeout(120000);
  let dir = '';
  let workerJs = '';
  const servers: Server[] = [];
  const duplicateStage = 'stages:\n  train:\n    cmd: a\n  train:\n    cmd: b\n';
  const good = 'file:///tmp/lsw/good/dvc.yaml';

  before(async function () {
    assert.ok(existsSync(serverJs), `${serverJs} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-lswatchdog-'));
    workerJs = path.join(dir, 'worker.js');
    await esbuild.build({ entryPoints: [path.join(__dirname, 'fixtures', 'languageWorkerWithFaults.ts')], outfile: workerJs, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  });
  after(() => {
    servers.forEach((s) => s.close());
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const start = (deadlineMs: number) => {
    const s = new Server(workerJs, deadlineMs);
    servers.push(s);
    return s.init();
  };

  it('a check or a completion that spins is stopped at the deadline; the file opened beside it gets its diagnostics, the next request works', async () => {
    const server = await start(1500);
    const bad = 'file:///tmp/lsw/bad/dvc.yaml';
    const started = Date.now();
    await server.open(bad, `# test: spin\n${duplicateStage}`);
    await server.open(good, duplicateStage);
    const [badDiags, goodDiags] = await Promise.all([server.diagnosticsOf(bad), server.diagnosticsOf(good)]);
    assert.equal(goodDiags.length, 1, JSON.stringify(goodDiags));
    assert.equal(badDiags.length, 1);
    assert.match(badDiags[0].message, /not checked: the language service did not finish validate within 1.5 s/);
    assert.ok(Date.now() - started < 15000, 'the watchdog fired late');

    assert.deepEqual(await server.conn.sendRequest('textDocument/completion', { textDocument: { uri: bad }, position: { line: 1, character: 0 } }), []);
    const lenses = (await server.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: good } })) as unknown[];
    assert.ok(lenses.length >= 1);
    assert.equal(server.proc.exitCode, null, 'the server is still running');
  });

  it('a check that allocates without bound ends at the 512 MB heap cap of the worker, not in the server', async () => {
    const server = await start(120000); // the cap must come first, however loaded the machine
    const bad = 'file:///tmp/lsw/grow/dvc.yaml';
    await server.open(bad, `# test: grow\n${duplicateStage}`);
    const diags = await server.diagnosticsOf(bad);
    assert.match(diags[0].message, /not checked: the language service ran out of its 512 MB heap/);
    await server.open(good, duplicateStage);
    assert.equal((await server.diagnosticsOf(good)).length, 1);
    assert.equal(server.proc.exitCode, null, 'the server is still running');
  });
});
