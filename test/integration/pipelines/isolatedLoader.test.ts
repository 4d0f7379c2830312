// The Pipelines view's loader in its worker thread (the bundle esbuild makes of
// core/pipelines/isolated/pipelinesWorker.ts) on the example project after a real
// `dvc repro`: the stages as the in-thread loader expands them, their status as
// `dvc status --json` says, before and after an edit of params.yaml.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { IsolatedWorker } from '../../../src/core/common/isolatedWorker';
import { expandedUpstream } from '../../../src/core/pipelines/dvcExpand';
import type { PipelineSnapshot } from '../../../src/core/pipelines/status/pipelineSnapshot';
import { loadPipeline } from '../../../src/core/pipelines/status/stageStatus';
import { repoRoot, requirePeer } from '../harness';

describe('Pipelines view loader in its worker thread (example project, real dvc)', function () {
  this.timeout(300000);
  let dir = '';
  let env: NodeJS.ProcessEnv;
  let worker: IsolatedWorker;

  before(async function () {
    const dvcBin = requirePeer(this, 'dvc');
    env = { ...process.env, PATH: `${path.dirname(dvcBin)}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
    const parent = mkdtempSync(path.join(tmpdir(), 'mlops-pipeworker-'));
    dir = execFileSync('bash', [path.join(repoRoot, 'scripts/example/make-sandbox.sh'), path.join(parent, 'p')], { env, encoding: 'utf8' }).trim();
    execFileSync('dvc', ['repro'], { cwd: dir, env, stdio: 'pipe' });
    const script = path.join(parent, 'pipelinesWorker.js');
    await esbuild.build({ entryPoints: [path.join(repoRoot, 'src/core/pipelines/isolated/pipelinesWorker.ts')], outfile: script, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
    worker = new IsolatedWorker({ name: 'the pipeline loader', script, deadlineMs: 60000 });
  });
  after(() => {
    worker?.dispose();
    if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  const load = () => worker.call<PipelineSnapshot>('load', { dir, text: readFileSync(path.join(dir, 'dvc.yaml'), 'utf8') });
  const dvcStatus = () => JSON.parse(execFileSync('dvc', ['status', '--json'], { cwd: dir, env, encoding: 'utf8' }));

  it('expands the stages as the in-thread loader does, with where each is written', async () => {
    const text = readFileSync(path.join(dir, 'dvc.yaml'), 'utf8');
    const { model, stages } = loadPipeline(dir, text);
    const snap = await load();
    assert.deepEqual(snap.stages.map((s) => s.name), ['prepare', 'train', 'evaluate']);
    for (const [i, s] of stages.entries()) {
      const { source, ...plain } = s;
      const got = snap.stages[i];
      assert.deepEqual({ ...got, desc: undefined, keyRange: undefined }, { ...plain, desc: undefined, keyRange: undefined });
      assert.deepEqual(got.keyRange, model.parsed.lines.rangeOf(source.keySpan[0], source.keySpan[1]));
      assert.equal(text.split('\n')[got.keyRange.start.line].trim(), `${s.name}:`);
    }
    assert.deepEqual(new Map(snap.upstream), expandedUpstream(stages));
    assert.ok(new Map(snap.upstream).get('train')!.includes('prepare'));
  });

  it('gives the status dvc status --json gives, after repro and after a params edit', async () => {
    assert.deepEqual(dvcStatus(), {});
    assert.deepEqual((await load()).status, {});
    const params = path.join(dir, 'params.yaml');
    writeFileSync(params, readFileSync(params, 'utf8').replace('epochs: 10', 'epochs: 11'));
    const theirs = dvcStatus();
    assert.ok(Object.keys(theirs).length > 0);
    assert.deepEqual((await load()).status, theirs);
  });
});
