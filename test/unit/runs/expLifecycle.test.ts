import { strict as assert } from 'node:assert';
import {
  applyArgs,
  branchArgs,
  ExpArgError,
  experimentTarget,
  expRowState,
  gridSize,
  hydraValue,
  parseValueList,
  pullArgs,
  pushArgs,
  queueExperimentArgs,
  queueKillArgs,
  queueLogsArgs,
  queueStartArgs,
  queueStopArgs,
  quoteHydra,
  refNameProblem,
  removeArgs,
  renameArgs,
  runExperimentArgs,
  setParamArg,
  setParamArgs,
  settableParams,
  valueAsInput,
} from '../../../src/core/runs/dvc/expLifecycle';

// The real parser (Hydra, through DVC) reads these back in test/integration/runs/dvcExpLifecycle.test.ts.
describe('expLifecycle: argv of the DVC experiment lifecycle commands', () => {
  const v = (text: string, asString?: boolean) => (asString ? { text, asString } : { text });

  it('queues one experiment with -S overrides, and a grid as Hydra choice sweeps', () => {
    assert.deepEqual(queueExperimentArgs({ overrides: [{ key: 'train.alpha', values: [v('0.1')] }] }), ['exp', 'run', '--queue', '-S', 'train.alpha=0.1']);
    const grid = [
      { key: 'train.alpha', values: [v('0.1'), v('0.01')] },
      { key: 'train.epochs', values: [v('5'), v('10'), v('20')] },
    ];
    assert.deepEqual(queueExperimentArgs({ overrides: grid, name: 'sweep' }), ['exp', 'run', '--queue', '-n', 'sweep', '-S', 'train.alpha=0.1,0.01', '-S', 'train.epochs=5,10,20']);
    assert.equal(gridSize(grid), 6);
    assert.equal(gridSize([]), 1);
  });

  it('names a params file other than params.yaml before the key', () => {
    assert.equal(setParamArg({ file: 'conf/train.yaml', key: 'lr', values: [v('1e-3')] }), 'conf/train.yaml:lr=1e-3');
    assert.equal(setParamArg({ file: 'params.yaml', key: 'lr', values: [v('1')] }), 'lr=1');
    assert.throws(() => setParamArg({ file: 'a:b.yaml', key: 'lr', values: [v('1')] }), ExpArgError);
    assert.throws(() => setParamArg({ file: '-x.yaml', key: 'lr', values: [v('1')] }), ExpArgError);
  });

  it('refuses a grid for a run now (DVC sweeps only from its queue) and grids beyond the cap', () => {
    assert.deepEqual(runExperimentArgs({ overrides: [{ key: 'lr', values: [v('0.5')] }] }), ['exp', 'run', '-S', 'lr=0.5']);
    assert.throws(() => runExperimentArgs({ overrides: [{ key: 'lr', values: [v('1'), v('2')] }] }), /queue them instead/);
    const big = Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, values: Array.from({ length: 10 }, (_, j) => v(String(j))) }));
    assert.throws(() => queueExperimentArgs({ overrides: big }), /10000 experiments/);
  });

  it('quotes a value meant literally as Hydra reads it: commas, blanks, quotes, backslashes', () => {
    assert.equal(hydraValue(v('adam')), 'adam');
    assert.equal(hydraValue(v('-0.5')), '-0.5');
    assert.equal(hydraValue(v('a,b')), "'a,b'");
    assert.equal(hydraValue(v('hello world')), "'hello world'");
    assert.equal(hydraValue(v('0.1', true)), "'0.1'", 'a quoted number stays a string');
    assert.equal(quoteHydra("it's"), String.raw`'it\'s'`);
    assert.equal(quoteHydra('a\\b'), String.raw`'a\b'`);
    assert.equal(quoteHydra('end\\'), String.raw`'end\\'`);
    assert.equal(quoteHydra("x\\'y"), String.raw`'x\\\'y'`);
    assert.equal(quoteHydra('[1, 2]'), "'[1, 2]'");
    assert.throws(() => hydraValue(v('${other}')), /interpolation/);
    assert.throws(() => hydraValue(v('a\nb')), /control/);
  });

  it('reads a typed value list: commas make a grid, quotes keep a comma', () => {
    assert.deepEqual(parseValueList('0.1, 0.01'), { ok: true, values: [v('0.1'), v('0.01')] });
    assert.deepEqual(parseValueList(`'a,b', c`), { ok: true, values: [v('a,b', true), v('c')] });
    assert.deepEqual(parseValueList(String.raw`"say \"hi\"", 'it\'s'`), { ok: true, values: [v('say "hi"', true), v("it's", true)] });
    assert.deepEqual(parseValueList('hello world'), { ok: true, values: [v('hello world')] });
    assert.deepEqual(parseValueList('1,,2'), { ok: false, error: 'a value is missing between commas', column: 2 });
    assert.deepEqual(parseValueList(''), { ok: false, error: 'a value is needed', column: 0 });
    assert.deepEqual(parseValueList("'open"), { ok: false, error: 'the quote opened here is not closed', column: 0 });
    assert.equal((parseValueList("'a' b") as { column: number }).column, 4);
    assert.equal((parseValueList("it's") as { ok: boolean }).ok, false);
    assert.equal((parseValueList('${x}') as { ok: boolean }).ok, false);
  });

  it('shows a current value so that typing it back keeps its type', () => {
    assert.equal(valueAsInput(0.1), '0.1');
    assert.equal(valueAsInput('adam'), 'adam');
    assert.equal(valueAsInput('0.1'), "'0.1'");
    assert.equal(valueAsInput('true'), "'true'");
    assert.equal(valueAsInput('a,b'), "'a,b'");
    assert.equal(valueAsInput(null), 'null');
    assert.equal(valueAsInput([1, 2]), '[1,2]');
    assert.deepEqual(parseValueList(valueAsInput('a,b')), { ok: true, values: [v('a,b', true)] });
  });

  it('refuses param keys Hydra cannot name', () => {
    assert.throws(() => setParamArg({ key: 'a b', values: [v('1')] }), /cannot be set/);
    assert.throws(() => setParamArg({ key: '-S', values: [v('1')] }), /cannot be set/);
    assert.throws(() => setParamArg({ key: 'a=b', values: [v('1')] }), /cannot be set/);
    assert.equal(setParamArg({ key: 'layers.0.units', values: [v('64')] }), 'layers.0.units=64');
    assert.throws(() => setParamArg({ key: 'lr', values: [] }), /no value/);
  });

  it('builds the queue worker commands', () => {
    assert.deepEqual(queueStartArgs(), ['queue', 'start', '-j', '1']);
    assert.deepEqual(queueStartArgs(4), ['queue', 'start', '-j', '4']);
    assert.throws(() => queueStartArgs(0), /1 to 64/);
    assert.throws(() => queueStartArgs(1.5), /whole number/);
    assert.deepEqual(queueStopArgs(), ['queue', 'stop']);
    assert.deepEqual(queueStopArgs({ kill: true }), ['queue', 'stop', '--kill']);
    assert.deepEqual(queueKillArgs(['a', 'b']), ['queue', 'kill', '--', 'a', 'b']);
    assert.deepEqual(queueKillArgs(['a'], { force: true }), ['queue', 'kill', '-f', '--', 'a']);
    assert.deepEqual(queueLogsArgs('a'), ['queue', 'logs', '--', 'a']);
  });

  it('puts every name after -- and refuses one that starts with - (no option injection)', () => {
    assert.deepEqual(applyArgs('e1'), ['exp', 'apply', '--', 'e1']);
    assert.deepEqual(branchArgs('e1', 'feature/e1'), ['exp', 'branch', '--', 'e1', 'feature/e1']);
    assert.deepEqual(renameArgs('e1', 'best'), ['exp', 'rename', '--', 'e1', 'best']);
    assert.deepEqual(removeArgs({ names: ['e1', 'e2'] }), ['exp', 'remove', '--', 'e1', 'e2']);
    assert.deepEqual(removeArgs({ queue: true }), ['exp', 'remove', '--queue']);
    assert.deepEqual(pushArgs('origin', ['e1']), ['exp', 'push', '--', 'origin', 'e1']);
    assert.deepEqual(pullArgs('/srv/repo.git', ['e1', 'e2']), ['exp', 'pull', '--', '/srv/repo.git', 'e1', 'e2']);
    for (const bad of ['-f', '--all', '', ' ', 'a b', 'a\nb']) {
      assert.throws(() => applyArgs(bad), ExpArgError, bad);
      assert.throws(() => queueKillArgs(['ok', bad]), ExpArgError, bad);
    }
    assert.throws(() => pushArgs('--upload-pack=x', ['e1']), /starts with '-'/);
    assert.throws(() => removeArgs({ names: [] }), /no experiment/);
    assert.throws(() => queueExperimentArgs({ name: '-x' }), /starts with '-'/);
  });

  it('checks new experiment and branch names by git ref rules', () => {
    assert.equal(refNameProblem('good-name_1'), undefined);
    assert.equal(refNameProblem('team/exp'), undefined);
    for (const bad of ['a..b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '.hidden', 'a/.b', 'x.lock', 'end.', 'end/', '@', 'a@{1}', '-x', 'a b']) assert.ok(refNameProblem(bad), bad);
    assert.throws(() => renameArgs('e1', 'a..b'), ExpArgError);
    assert.throws(() => branchArgs('e1', 'x.lock'), ExpArgError);
  });

  it('maps listing rows to lifecycle states and names them as DVC does', () => {
    const row = (kind: string, status = 'FINISHED') => ({ status, tags: { 'dvc.kind': kind } });
    assert.equal(expRowState(row('queued', 'SCHEDULED')), 'queued');
    assert.equal(expRowState(row('queued', 'RUNNING')), 'running');
    assert.equal(expRowState(row('running', 'RUNNING')), 'running');
    assert.equal(expRowState(row('failed', 'FAILED')), 'failed');
    assert.equal(expRowState(row('experiment')), 'done');
    assert.equal(expRowState(row('baseline')), 'baseline');
    assert.equal(expRowState(row('workspace', 'UNKNOWN')), 'workspace');
    assert.equal(expRowState(row('workspace', 'RUNNING')), 'workspace', 'an exp run in the workspace is no queue task');
    const sha = 'abcdef0123456789abcdef0123456789abcdef01';
    assert.equal(experimentTarget({ id: sha, name: 'q' }), 'q');
    assert.equal(experimentTarget({ id: sha, name: 'abcdef0' }), sha);
  });

  it('offers every scalar, list and map of a params file (a map before its entries) whose key -S can name', () => {
    const data = { train: { alpha: 0.1, layers: [1, 2], opt: { name: 'adam' }, empty: {}, 'a.b': 1 }, seed: 7, 'bad key': { inner: 1 }, flag: null };
    assert.deepEqual(settableParams(data), [
      { key: 'train', path: ['train'], value: data.train, container: true },
      { key: 'train.alpha', path: ['train', 'alpha'], value: 0.1, container: false },
      { key: 'train.layers', path: ['train', 'layers'], value: [1, 2], container: true },
      { key: 'train.opt', path: ['train', 'opt'], value: { name: 'adam' }, container: true },
      { key: 'train.opt.name', path: ['train', 'opt', 'name'], value: 'adam', container: false },
      { key: 'train.empty', path: ['train', 'empty'], value: {}, container: true },
      { key: 'seed', path: ['seed'], value: 7, container: false },
      { key: 'flag', path: ['flag'], value: null, container: false },
    ]);
  });

  it('sets a list or a map as a whole: ~key then +key=value, one value (no grid), in a params file too', () => {
    const whole = { text: '{a: 1}', whole: '{a:1}' };
    assert.deepEqual(setParamArgs({ key: 'train.opt', values: [whole] }), ['~train.opt', '+train.opt={a:1}']);
    assert.deepEqual(setParamArgs({ file: 'conf.yaml', key: 'opt', values: [whole] }), ['conf.yaml:~opt', 'conf.yaml:+opt={a:1}']);
    assert.deepEqual(setParamArgs({ key: 'lr', values: [v('0.1'), v('0.2')] }), ['lr=0.1,0.2']);
    assert.throws(() => setParamArgs({ key: 'opt', values: [whole, whole] }), /not a grid/);
    assert.throws(() => setParamArg({ key: 'opt', values: [whole] }), ExpArgError);
    assert.deepEqual(queueExperimentArgs({ overrides: [{ key: 'opt', values: [whole] }, { key: 'lr', values: [v('1'), v('2')] }] }), ['exp', 'run', '--queue', '-S', '~opt', '-S', '+opt={a:1}', '-S', 'lr=1,2']);
  });

  it('follows a queue log with -f', () => {
    assert.deepEqual(queueLogsArgs('a', { follow: true }), ['queue', 'logs', '-f', '--', 'a']);
  });
});
