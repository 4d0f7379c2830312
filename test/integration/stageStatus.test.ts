import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HashCache } from '../../src/core/pipelines/status/dvcHash';
import { computePipelineStatus } from '../../src/core/pipelines/status/stageStatus';
import { repoRoot, requirePeer } from './harness';

// Our native stage status must say what `dvc status --json` says, edit after edit.
describe('stage status against dvc status --json', function () {
  this.timeout(300000);
  let dir = '';
  let env: NodeJS.ProcessEnv;
  const hashes = new HashCache();

  before(function () {
    const dvcBin = requirePeer(this, 'dvc');
    env = { ...process.env, PATH: `${path.dirname(dvcBin)}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
    const parent = mkdtempSync(path.join(tmpdir(), 'mlops-status-'));
    dir = execFileSync('bash', [path.join(repoRoot, 'scripts/example/make-sandbox.sh'), path.join(parent, 'p')], { env, encoding: 'utf8' }).trim();
    execFileSync('dvc', ['repro'], { cwd: dir, env, stdio: 'pipe' });
  });

  after(() => dir && rmSync(path.dirname(dir), { recursive: true, force: true }));

  const dvcStatus = () => JSON.parse(execFileSync('dvc', ['status', '--json'], { cwd: dir, env, encoding: 'utf8' }));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe' });
  const file = (p: string) => path.join(dir, p);
  async function same(what: string) {
    const theirs = dvcStatus();
    const ours = await computePipelineStatus({ dir, hashes });
    assert.deepEqual(ours, theirs, `${what}\nours:   ${JSON.stringify(ours)}\ntheirs: ${JSON.stringify(theirs)}`);
    return ours;
  }

  it('is up to date after dvc repro', async () => {
    assert.deepEqual(await same('after repro'), {});
  });

  it('sees an edited source file in every stage that depends on it', async () => {
    appendFileSync(file('src/common.py'), '\n# edited\n');
    const ours = await same('edited src/common.py');
    assert.deepEqual(Object.keys(ours).sort(), ['evaluate', 'prepare', 'train']);
    git('checkout', '--', 'src/common.py');
  });

  it('sees a changed param by its dotted key', async () => {
    const params = readFileSync(file('params.yaml'), 'utf8');
    writeFileSync(file('params.yaml'), params.replace(/epochs: \d+/, 'epochs: 3'));
    await same('changed train.epochs');
    writeFileSync(file('params.yaml'), params);
  });

  it('sees a deleted output and a modified file inside an output directory', async () => {
    const model = readFileSync(file('models/model.pkl'));
    unlinkSync(file('models/model.pkl'));
    appendFileSync(file('data/prepared/test.csv'), '0,0,0,0,0,0,0,0,1\n');
    await same('deleted model, modified data/prepared/test.csv');
    writeFileSync(file('models/model.pkl'), model);
    execFileSync('dvc', ['checkout', '--force', 'data/prepared'], { cwd: dir, env, stdio: 'pipe' });
    await same('restored');
  });

  it('sees a changed command and a stage that never ran', async () => {
    const yaml = readFileSync(file('dvc.yaml'), 'utf8');
    writeFileSync(
      file('dvc.yaml'),
      // The new stage goes first under stages: (the file ends with an artifacts: section).
      yaml
        .replace('cmd: python src/evaluate.py', 'cmd: python src/evaluate.py --verbose')
        .replace(/^stages:\n/m, 'stages:\n  report:\n    cmd: echo report > report.txt\n    deps:\n      - metrics.json\n    outs:\n      - report.txt\n'),
    );
    await same('changed evaluate cmd, new report stage');
    writeFileSync(file('dvc.yaml'), yaml);
  });

  it('sees an output missing from the cache', async () => {
    const lock = readFileSync(file('dvc.lock'), 'utf8');
    const md5 = /path: models\/model.pkl\n\s+hash: md5\n\s+md5: ([0-9a-f]{32})/.exec(lock)?.[1];
    assert.ok(md5, 'model.pkl hash in dvc.lock');
    const cached = path.join(dir, '.dvc/cache/files/md5', md5.slice(0, 2), md5.slice(2));
    const bytes = readFileSync(cached);
    rmSync(cached, { force: true });
    await same('model.pkl not in cache');
    writeFileSync(cached, bytes);
    assert.deepEqual(await same('cache restored'), {});
  });

  it('expands foreach and matrix stages and resolves ${} paths and params', async () => {
    const yaml = readFileSync(file('dvc.yaml'), 'utf8');
    const params = readFileSync(file('params.yaml'), 'utf8');
    writeFileSync(
      file('dvc.yaml'),
      // First under stages: (the file ends with an artifacts: section).
      yaml.replace(
        /^stages:\n/m,
        'stages:\n' +
        [
          '  shard:',
          '    foreach: [a, b]',
          '    do:',
          '      cmd: echo ${item} ${train.seed} > shard-${item}.txt',
          '      deps:',
          '        - src/common.py',
          '      outs:',
          '        - shard-${item}.txt',
          '  grid:',
          '    matrix:',
          '      size: [1, 2]',
          '      fast: [true]',
          '    cmd: echo ${item.size} ${item.fast} > grid-${item.size}.txt',
          '    deps:',
          '      - shard-a.txt',
          '    outs:',
          '      - grid-${item.size}.txt:',
          '          cache: false',
          '',
        ].join('\n'),
      ),
    );
    const before = await same('foreach/matrix stages that never ran');
    assert.ok(before['shard@a'] && before['grid@2-true'], `expanded names in ${JSON.stringify(Object.keys(before))}`);
    execFileSync('dvc', ['repro'], { cwd: dir, env, stdio: 'pipe' });
    assert.deepEqual(await same('after repro of the expanded stages'), {});
    writeFileSync(file('params.yaml'), params.replace(/seed: 7/, 'seed: 8'));
    const ours = await same('changed train.seed, used through ${} only');
    assert.deepEqual(ours['shard@a'], ['changed command'], 'the new seed changes the interpolated command');
    writeFileSync(file('params.yaml'), params);
    writeFileSync(file('dvc.yaml'), yaml);
  });
});
