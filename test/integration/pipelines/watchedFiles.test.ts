import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ServerProcess } from './serverProcess';

// The language server's worker keeps what the disk answered (a dep exists, params.yaml's
// text) between edits. A file that appears must still be seen: at once when the client
// reports the change, within a few seconds when it reports nothing.

const DVC_YAML = 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n';

describe('language server: files changed on disk (dist/server.js, child process)', function () {
  this.timeout(60000);
  let dir = '';
  let n = 0;
  const servers: ServerProcess[] = [];

  /** A fresh project whose dvc.yaml names a dep that is not there yet. */
  function project(): { uri: string; dep: string } {
    const f = path.join(dir, String(n++));
    mkdirSync(path.join(f, 'src'), { recursive: true });
    return { uri: pathToFileURL(path.join(f, 'dvc.yaml')).toString(), dep: path.join(f, 'src', 'train.py') };
  }

  async function start(more: Parameters<ServerProcess['initialize']>[1] = {}): Promise<ServerProcess> {
    const s = new ServerProcess(512);
    servers.push(s);
    await s.initialize(undefined, more);
    return s;
  }

  const missing = (d: { code: string }[]) => d.some((x) => x.code === 'dep-missing');

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-lsp-files-'));
  });
  after(() => {
    for (const s of servers) s.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a client that reports file changes: the dep that appears clears its warning at the event', async () => {
    const s = await start({ initializationOptions: { filesWatched: true } });
    const { uri, dep } = project();
    await s.open(uri, DVC_YAML);
    assert.ok(missing((await s.diagnostics(uri, 20000)).diagnostics), 'the dep is missing at first');
    writeFileSync(dep, 'print(1)\n');
    await s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(dep).toString(), type: 1 }] });
    const after = await s.diagnostics(uri, 20000);
    assert.ok(!missing(after.diagnostics), JSON.stringify(after.diagnostics));
  });

  it('a client that can watch files is asked to watch them all', async () => {
    const asked = new Promise<unknown>((resolve) => {
      const s = new ServerProcess(512);
      servers.push(s);
      s.conn.onRequest('client/registerCapability', (p: unknown) => {
        resolve(p);
        return null;
      });
      void s.initialize(undefined, { capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } });
    });
    const p = (await asked) as { registrations: { method: string; registerOptions: { watchers: { globPattern: string }[] } }[] };
    const reg = p.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.deepEqual(reg?.registerOptions.watchers, [{ globPattern: '**/*' }]);
  });

  it('a client that reports nothing: the dep that appears is seen within a few seconds of edits', async () => {
    const s = await start();
    const { uri, dep } = project();
    await s.open(uri, DVC_YAML);
    assert.ok(missing((await s.diagnostics(uri, 20000)).diagnostics));
    writeFileSync(dep, 'print(1)\n');
    const started = Date.now();
    // Edit on, as a user does, until the warning goes (the worker's memory of the disk expires).
    for (let v = 2; ; v++) {
      await s.change(uri, v, `${DVC_YAML}# edit ${v}\n`);
      const d = await s.diagnostics(uri, 20000, v);
      if (!missing(d.diagnostics)) break;
      assert.ok(Date.now() - started < 15000, 'the new dep was still missing after 15 s of edits');
    }
  });
});
