import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { activeRuns } from '../../../src/core/runs/dvc/dvcExpActive';

// The files DVC writes for a run in progress (.dvc/tmp/exps/run/<name>/), as dvc 3.67 wrote
// them in the integration test; this process stands in for the run's live process.
describe('dvcExpActive: runs in progress from DVC executor files', () => {
  let root = '';
  const baseline = 'a'.repeat(40);
  const stash = 'b'.repeat(40);
  const write = (name: string, info: Record<string, unknown>, proc: Record<string, unknown> = { pid: process.pid, returncode: null }) => {
    const dir = path.join(root, '.dvc', 'tmp', 'exps', 'run', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.run`), JSON.stringify({ baseline_rev: baseline, status: 2, dvc_dir: '.dvc', ...info }));
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(proc));
  };
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mlops-active-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('gives a queued run the DVC root of its own checkout under .dvc/tmp/exps', async () => {
    const checkout = path.join(root, '.dvc', 'tmp', 'exps', 'tmpabc');
    write(stash, { name: 'q', root_dir: checkout, dvc_dir: 'sub/.dvc' });
    assert.deepEqual(await activeRuns(root), [{ executor: stash, name: 'q', baseline, root: path.join(checkout, 'sub') }]);
  });

  it('reads no checkout outside the project, and none for the workspace', async () => {
    write(stash, { name: 'q', root_dir: path.join(tmpdir(), 'elsewhere') });
    write('workspace', { name: 'w', root_dir: root });
    const runs = await activeRuns(root);
    assert.deepEqual(runs.map((r) => [r.executor, r.root]).sort(), [[stash, undefined], ['workspace', undefined]]);
  });

  it('leaves out finished runs and runs whose process is gone', async () => {
    write(stash, { name: 'done', status: 3 });
    write('c'.repeat(40), { name: 'exited' }, { pid: process.pid, returncode: 1 });
    assert.deepEqual(await activeRuns(root), []);
  });

  it('marks a run whose process is gone with no return code as died (its worker died with it)', async () => {
    // A pid that no process has: a child that has exited and been reaped.
    const { spawnSync } = await import('node:child_process');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    write(stash, { name: 'victim', root_dir: path.join(root, '.dvc', 'tmp', 'exps', 'tmpx') }, { pid: Number(gone), returncode: null });
    assert.deepEqual(await activeRuns(root), [{ executor: stash, name: 'victim', baseline, root: undefined, died: true }]);
  });
});
