import { strict as assert } from 'node:assert';
import { entryPointArgv, experimentArgv, gridOf, MAX_COMBINATIONS, parseParams, stageArgv, stageEventPaths, stageResultPaths } from '../../../src/core/jobs/runCommands';
import { renderBatchScript } from '../../../src/core/jobs/slurm/batchScript';

describe('run commands for a cluster', () => {
  it('a stage\'s results: uncached outputs whole (DVCLive\'s as its folder), cached ones for their TensorBoard event files only', () => {
    const outs = [
      { path: 'models', cache: true },
      { path: 'models/model.pkl', cache: true },
      { path: 'dvclive/metrics.json', cache: false },
      { path: 'eval/metrics.json', cache: false },
    ];
    assert.deepEqual(stageResultPaths(outs), ['dvclive', 'eval/metrics.json', 'params.yaml']);
    assert.deepEqual(stageEventPaths(outs), ['models', 'models/model.pkl']);
    assert.deepEqual(stageEventPaths([]), []);
  });

  it('builds the argv of a stage, an experiment and an entry point', () => {
    assert.deepEqual(stageArgv('train'), ['dvc', 'repro', '-s', 'train']);
    assert.deepEqual(experimentArgv({ 'train.epochs': '5' }), ['dvc', 'exp', 'run', '-S', 'train.epochs=5']);
    assert.deepEqual(entryPointArgv('main', { alpha: '0.1' }), ['mlflow', 'run', '.', '-e', 'main', '-P', 'alpha=0.1']);
  });

  it('reads fixed values and a grid (every combination, in the order typed)', () => {
    const p = parseParams(' train.alpha=0.1,0.01  train.seed=7 train.epochs=5,10 ');
    assert.deepEqual(p.fixed, { 'train.seed': '7' });
    assert.deepEqual(p.combinations, [
      { 'train.alpha': '0.1', 'train.epochs': '5' },
      { 'train.alpha': '0.1', 'train.epochs': '10' },
      { 'train.alpha': '0.01', 'train.epochs': '5' },
      { 'train.alpha': '0.01', 'train.epochs': '10' },
    ]);
    assert.deepEqual(gridOf(p, '-S', 2), { combinations: p.combinations, flag: '-S', maxParallel: 2 });
    assert.equal(gridOf(parseParams('a=1'), '-S'), undefined);
    assert.deepEqual(parseParams(''), { fixed: {}, combinations: [] });
  });

  it('refuses what is not name=value, empty values, a name twice and a grid too large', () => {
    for (const bad of ['alpha', '=1', 'a=', 'a=1,', 'a=1 a=2', '$(x)=1']) assert.throws(() => parseParams(bad), /name=value|empty|twice/, bad);
    const big = Array.from({ length: 4 }, (_, i) => `p${i}=${Array.from({ length: 6 }, (_, j) => j).join(',')}`).join(' ');
    assert.throws(() => parseParams(big), new RegExp(`1296 combinations; at most ${MAX_COMBINATIONS}`));
  });

  it('a grid becomes a job array whose tasks pick their combination, values quoted', () => {
    const p = parseParams("train.alpha=0.1,0.01 note=it's");
    const script = renderBatchScript({ name: 'exp', command: experimentArgv(p.fixed), cwd: '/scratch/p', resources: {}, array: gridOf(p, '-S') });
    assert.match(script, /^#SBATCH --array=0-1$/m);
    assert.match(script, /^ {2}0\) set -- -S train\.alpha=0\.1 ;;$/m);
    assert.match(script, /^ {2}1\) set -- -S train\.alpha=0\.01 ;;$/m);
    assert.match(script, /^exec dvc exp run -S 'note=it'\\''s' "\$@"$/m);
  });
});
