import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lastJson, runBounded } from '../../integration/crafted/boundedChild';

// Crafted inputs a cloned repository can hold, each read by boundedRead in a child process
// with a 64 MB heap and a 10 s deadline: a FIFO must not block, a device must not be read
// without end, a link must not lead out of the root, and a large file is refused by size.
const child = path.join(__dirname, 'boundedReadChild.ts');
type Result = { ok: true; length: number } | { ok: false; reason: string; message: string };

describe('boundedRead on crafted files (child process, 64 MB heap, 10 s)', function () {
  this.timeout(60000);
  let dir = '';
  let ws = '';
  const names = ['params.yaml', 'sub/in.yaml', 'fifo.yaml', 'random.yaml', 'out.yaml', 'big.yaml', 'nope.yaml'];
  const results: Record<string, Record<string, Result>> = {};
  const read = async (mode: 'async' | 'sync', root: string): Promise<Record<string, Result>> => {
    const files = names.map((n) => path.join(ws, n));
    const r = await runBounded(child, [mode, String(1024 * 1024), root, ...files], { heapMb: 64, timeoutMs: 10000 });
    assert.ok(!r.timedOut, `${mode} reads did not finish in 10 s`);
    assert.equal(r.code, 0, r.stderr);
    const byFile = lastJson<Record<string, Result>>(r);
    return Object.fromEntries(names.map((n, i) => [n, byFile[files[i]]]));
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-bounded-'));
    ws = path.join(dir, 'ws');
    mkdirSync(path.join(ws, 'sub'), { recursive: true });
    writeFileSync(path.join(ws, 'params.yaml'), 'lr: 0.1\n');
    writeFileSync(path.join(dir, 'secret.txt'), 'not for the repository\n');
    execFileSync('mkfifo', [path.join(ws, 'fifo.yaml')]);
    symlinkSync('/dev/urandom', path.join(ws, 'random.yaml'));
    symlinkSync('../secret.txt', path.join(ws, 'out.yaml'));
    symlinkSync('../params.yaml', path.join(ws, 'sub', 'in.yaml'));
    writeFileSync(path.join(ws, 'big.yaml'), 'x'.repeat(2 * 1024 * 1024));
    for (const mode of ['async', 'sync'] as const) {
      results[mode] = await read(mode, ws);
      results[`${mode}, no root`] = await read(mode, '');
    }
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const reason = (r: Result) => (r.ok ? 'read' : r.reason);
  const message = (r: Result) => (r.ok ? '' : r.message);

  for (const mode of ['async', 'sync'] as const) {
    describe(mode, () => {
      it('reads a regular file, and one through a link that stays inside the root', () => {
        assert.deepEqual(results[mode]['params.yaml'], { ok: true, length: 8 });
        assert.deepEqual(results[mode]['sub/in.yaml'], { ok: true, length: 8 });
      });

      it('refuses a FIFO without blocking on it', () => {
        assert.equal(reason(results[mode]['fifo.yaml']), 'not-a-file');
        assert.match(message(results[mode]['fifo.yaml']), /fifo\.yaml is a FIFO, not a regular file/);
      });

      it('refuses a link to /dev/urandom: out of the root, and not a file without one', () => {
        assert.equal(reason(results[mode]['random.yaml']), 'outside-root');
        const anywhere = results[`${mode}, no root`]['random.yaml'];
        assert.equal(reason(anywhere), 'not-a-file');
        assert.match(message(anywhere), /is a device/);
      });

      it('refuses a link out of the root, and reads it where no root is given', () => {
        assert.equal(reason(results[mode]['out.yaml']), 'outside-root');
        assert.match(message(results[mode]['out.yaml']), /leads outside the workspace/);
        assert.equal(reason(results[`${mode}, no root`]['out.yaml']), 'read');
      });

      it('refuses a file over the cap by its size, naming the cap', () => {
        assert.equal(reason(results[mode]['big.yaml']), 'too-large');
        assert.match(message(results[mode]['big.yaml']), /big\.yaml is larger than the 1\.0 MB limit for test inputs \(2\.0 MB\)/);
      });

      it('a missing file is ENOENT, as before', () => {
        assert.equal(reason(results[mode]['nope.yaml']), 'ENOENT');
      });
    });
  }
});
