import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HashCache } from '../../src/core/pipelines/status/dvcHash';
import { computePipelineStatus, type PipelineStatus } from '../../src/core/pipelines/status/stageStatus';
import { requirePeer } from './harness';

// Params dependencies in our native stage status against `dvc status --json`, on a repo
// that the real dvc ran: a section (`train`), a dotted key (`prep.split`), a whole file
// (`- params.yaml:`) and a custom file with a section key and a dotted key. dvc.lock
// keeps a section as one nested value, so an edit inside it must read `train: modified`.
const PARAMS = 'train:\n  lr: 0.1\n  epochs: 3\nprep:\n  split: 0.2\n  seed: 1\n';
const CUSTOM = 'a: 1\nb:\n  c: x\n  d: y\n';
const DVC_YAML = [
  'stages:',
  '  section:',
  '    cmd: echo s > section.txt',
  '    params: [train]',
  '    outs: [section.txt]',
  '  nested:',
  '    cmd: echo n > nested.txt',
  '    params: [prep.split]',
  '    outs: [nested.txt]',
  '  whole:',
  '    cmd: echo w > whole.txt',
  '    params:',
  '      - params.yaml:',
  '    outs: [whole.txt]',
  '  custom:',
  '    cmd: echo c > custom.txt',
  '    params:',
  '      - custom.yaml: [a, b.c]',
  '    outs: [custom.txt]',
  '',
].join('\n');

describe('params in stage status against dvc status --json', function () {
  this.timeout(300000);
  let dir = '';
  let env: NodeJS.ProcessEnv;
  const hashes = new HashCache();

  const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { cwd: dir, env, encoding: 'utf8', stdio: 'pipe' });
  const file = (p: string) => path.join(dir, p);
  const edit = (p: string, from: string | RegExp, to: string) => {
    const text = readFileSync(file(p), 'utf8');
    const next = text.replace(from, to);
    assert.notEqual(next, text, `the edit of ${p} changed nothing`);
    writeFileSync(file(p), next);
  };

  /** Ours equals theirs, field by field; returns theirs so a case can say it bites. */
  async function same(what: string): Promise<PipelineStatus> {
    const theirs = JSON.parse(run('dvc', 'status', '--json')) as PipelineStatus;
    const ours = await computePipelineStatus({ dir, hashes });
    assert.deepEqual(ours, theirs, `${what}\nours:   ${JSON.stringify(ours)}\ntheirs: ${JSON.stringify(theirs)}`);
    return theirs;
  }

  before(function () {
    const dvcBin = requirePeer(this, 'dvc');
    env = { ...process.env, PATH: `${path.dirname(dvcBin)}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-params-status-'));
    run('git', '-c', 'init.defaultBranch=main', 'init', '-q');
    run('git', 'config', 'user.name', 'MLOps Workbench Test');
    run('git', 'config', 'user.email', 'test@mlops-workbench.invalid');
    run('git', 'config', 'commit.gpgsign', 'false');
    run('dvc', 'init', '-q');
    writeFileSync(file('params.yaml'), PARAMS);
    writeFileSync(file('custom.yaml'), CUSTOM);
    writeFileSync(file('dvc.yaml'), DVC_YAML);
    run('dvc', 'repro', '-q');
    run('git', 'add', '-A');
    run('git', 'commit', '-q', '-m', 'ran the pipeline');
  });

  afterEach(() => dir && run('git', 'checkout', '-q', '--', '.'));
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('is up to date after dvc repro and a commit (a section is one value in dvc.lock)', async () => {
    assert.deepEqual(await same('after repro'), {});
  });

  it('reports an edit inside a section as the section modified', async () => {
    edit('params.yaml', 'lr: 0.1', 'lr: 0.2');
    const theirs = await same('edited train.lr');
    assert.deepEqual(theirs.section, [{ 'changed deps': { 'params.yaml': { train: 'modified' } } }]);
    assert.ok(theirs.whole, 'the whole-file stage sees it too');
  });

  it('reports a key added to or removed from a tracked section as the section modified', async () => {
    edit('params.yaml', 'epochs: 3\n', 'epochs: 3\n  momentum: 0.9\n');
    assert.ok((await same('added train.momentum')).section);
    run('git', 'checkout', '-q', '--', 'params.yaml');
    edit('params.yaml', '  epochs: 3\n', '');
    assert.ok((await same('removed train.epochs')).section);
  });

  it('compares a dotted key by its own value only', async () => {
    edit('params.yaml', 'split: 0.2', 'split: 0.3');
    assert.deepEqual((await same('edited prep.split')).nested, [{ 'changed deps': { 'params.yaml': { 'prep.split': 'modified' } } }]);
    run('git', 'checkout', '-q', '--', 'params.yaml');
    edit('params.yaml', 'seed: 1', 'seed: 2');
    const theirs = await same('edited prep.seed, which only the whole file tracks');
    assert.ok(!theirs.nested && theirs.whole, JSON.stringify(theirs));
  });

  it('reports a tracked key removed from the file as deleted', async () => {
    edit('params.yaml', '  split: 0.2\n', '');
    assert.ok((await same('removed prep.split')).nested);
  });

  it('compares a whole file by its top-level keys', async () => {
    edit('params.yaml', /^/, 'eval:\n  k: 1\n');
    assert.deepEqual((await same('added top-level eval')).whole, [{ 'changed deps': { 'params.yaml': { eval: 'new' } } }]);
    run('git', 'checkout', '-q', '--', 'params.yaml');
    edit('params.yaml', 'prep:\n  split: 0.2\n  seed: 1\n', '');
    assert.ok((await same('removed top-level prep')).whole);
  });

  it('reads a custom params file with a section key and a dotted key', async () => {
    edit('custom.yaml', 'c: x', 'c: z');
    assert.deepEqual((await same('edited b.c')).custom, [{ 'changed deps': { 'custom.yaml': { 'b.c': 'modified' } } }]);
    run('git', 'checkout', '-q', '--', 'custom.yaml');
    edit('custom.yaml', 'd: y', 'd: z');
    assert.deepEqual(await same('edited untracked b.d'), {});
    edit('custom.yaml', 'a: 1\n', '');
    assert.ok((await same('removed a')).custom);
  });

  it('reports a missing params file as deleted', async () => {
    unlinkSync(file('custom.yaml'));
    unlinkSync(file('params.yaml'));
    const theirs = await same('params.yaml and custom.yaml removed');
    assert.deepEqual(Object.keys(theirs).sort(), ['custom', 'nested', 'section', 'whole']);
  });

  it('compares values as Python does (3 == 3.0)', async () => {
    edit('params.yaml', 'epochs: 3', 'epochs: 3.0');
    edit('params.yaml', 'lr: 0.1', 'lr: 1.0e-1');
    assert.deepEqual(await same('same values, other spelling'), {});
  });

  it('reports a params file or a name added to a stage since it ran as new', async () => {
    edit('dvc.yaml', 'params: [train]', 'params: [train, prep.seed, {custom.yaml: [a]}]');
    assert.ok((await same('stage section tracks more')).section);
  });
});
