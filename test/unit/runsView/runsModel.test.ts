import { strict as assert } from 'node:assert';
import type { RunSummary } from '../../../src/core/runs/types';
import {
  escapeMarkdown,
  formatMetricValue,
  formatStart,
  isExcluded,
  jobFolder,
  pickKeyMetric,
  pruneSelection,
  runDescription,
  runTooltipMarkdown,
  sourceId,
  storesFromFiles,
  updateSelection,
} from '../../../src/extension/runs/runsModel';
import { l10n } from '../l10nFormat';

const ALL = { mlflow: true, dvcExperiments: true, dvclive: true, tensorboard: true };
const ROOT = '/ws/proj';

function run(over: Partial<RunSummary> = {}): RunSummary {
  return { id: 'r1', experimentId: '1', name: 'bright-owl-42', status: 'FINISHED', params: {}, tags: {}, metrics: {}, ...over };
}
const point = (value: number, step = 0) => ({ value, step, timestamp: 0 });

describe('Runs view: store discovery', () => {
  it('turns marker files into one store each: mlflow.db, mlruns/, dvclive/', () => {
    const stores = storesFromFiles(
      {
        'mlflow-sqlite': [`${ROOT}/mlflow.db`],
        'mlflow-file': [`${ROOT}/old/mlruns/0/meta.yaml`, `${ROOT}/old/mlruns/3/meta.yaml`],
        dvclive: [`${ROOT}/dvclive/metrics.json`],
      },
      [ROOT],
      ALL,
    );
    // MLflow first, then DVCLive.
    assert.deepEqual(stores, [
      { kind: 'mlflow-sqlite', location: `${ROOT}/mlflow.db` },
      { kind: 'mlflow-file', location: `${ROOT}/old/mlruns` },
      { kind: 'dvclive', location: `${ROOT}/dvclive` },
    ]);
  });

  it('makes the topmost dvc.yaml folder a DVC experiments store, and lists a DVCLive folder inside it only there', () => {
    const found = {
      'dvc-experiments': [`${ROOT}/dvc.yaml`, `${ROOT}/sub/dvc.yaml`, '/ws/other/dvc.yaml'],
      dvclive: [`${ROOT}/dvclive/metrics.json`, '/ws/plain/dvclive/metrics.json'],
    };
    assert.deepEqual(storesFromFiles(found, [ROOT], ALL), [
      { kind: 'dvc-experiments', location: '/ws/other' },
      { kind: 'dvc-experiments', location: ROOT },
      { kind: 'dvclive', location: '/ws/plain/dvclive' },
    ]);
    // With the experiments turned off, the DVCLive folder is a store of its own again.
    assert.deepEqual(storesFromFiles(found, [ROOT], { ...ALL, dvcExperiments: false }), [
      { kind: 'dvclive', location: '/ws/plain/dvclive' },
      { kind: 'dvclive', location: `${ROOT}/dvclive` },
    ]);
  });

  it('lists a cluster job\'s DVCLive results brought home into .mlops/jobs even inside a DVC project', () => {
    const found = { 'dvc-experiments': [`${ROOT}/dvc.yaml`], dvclive: [`${ROOT}/dvclive/metrics.json`, `${ROOT}/.mlops/jobs/test/42/dvclive/metrics.json`] };
    assert.deepEqual(storesFromFiles(found, [ROOT], ALL), [
      { kind: 'dvc-experiments', location: ROOT },
      { kind: 'dvclive', location: `${ROOT}/.mlops/jobs/test/42/dvclive` },
    ]);
  });

  it('reads a cluster job\'s results folder as one TensorBoard log folder, whatever depth its event files lie at', () => {
    const job = `${ROOT}/.mlops/jobs/slurm-a/42`;
    const found = { tensorboard: [`${job}/models/tb/events.out.tfevents.1`, `${job}/models/tb/val/events.out.tfevents.2`, `${job}/runs/events.out.tfevents.3`, `${ROOT}/runs/a/events.out.tfevents.4`] };
    assert.deepEqual(storesFromFiles(found, [ROOT], ALL), [
      { kind: 'tensorboard', location: job },
      { kind: 'tensorboard', location: `${ROOT}/runs` },
    ]);
    assert.equal(jobFolder(`${job}/models/tb`), job);
    assert.equal(jobFolder(`${ROOT}/x.mlops/jobs/a/1`), undefined, 'only a folder named .mlops');
    assert.equal(jobFolder(`${ROOT}/.mlops/jobs/a`), undefined);
  });

  it('ignores a meta.yaml that is not an experiment of a folder named mlruns', () => {
    const stores = storesFromFiles({ 'mlflow-file': [`${ROOT}/configs/x/meta.yaml`] }, [ROOT], ALL);
    assert.deepEqual(stores, []);
  });

  it('groups TensorBoard run folders under their log folder, one store per log folder', () => {
    const stores = storesFromFiles(
      {
        tensorboard: [
          `${ROOT}/runs/exp1/events.out.tfevents.1.host`,
          `${ROOT}/runs/exp2/events.out.tfevents.2.host`,
          `${ROOT}/runs/exp2/eval/events.out.tfevents.3.host`, // inside runs/: read with it
          `${ROOT}/tb/events.out.tfevents.4.host`, // a folder at the root is its own log folder
        ],
      },
      [ROOT],
      ALL,
    );
    assert.deepEqual(stores, [
      { kind: 'tensorboard', location: `${ROOT}/runs` },
      { kind: 'tensorboard', location: `${ROOT}/tb` },
    ]);
  });

  it('reads event files at a workspace root from that root', () => {
    assert.deepEqual(storesFromFiles({ tensorboard: [`${ROOT}/events.out.tfevents.1.h`] }, [ROOT], ALL), [{ kind: 'tensorboard', location: ROOT }]);
  });

  it('leaves out stores inside node_modules, .git, .dvc and virtual environments', () => {
    for (const f of ['/a/node_modules/x/mlflow.db', '/a/.git/mlflow.db', '/a/.dvc/tmp/mlflow.db', '/a/.venv/mlflow.db', '/a/.venv-peers/mlflow.db', '/a/venv/lib/site-packages/mlflow.db']) {
      assert.ok(isExcluded(f), f);
    }
    assert.ok(!isExcluded('/a/environment/mlflow.db'));
    assert.deepEqual(storesFromFiles({ 'mlflow-sqlite': [`${ROOT}/node_modules/pkg/mlflow.db`, `${ROOT}/.venv/x/mlflow.db`] }, [ROOT], ALL), []);
  });

  it('leaves out the kinds turned off in the settings', () => {
    const found = { 'mlflow-sqlite': [`${ROOT}/mlflow.db`], 'mlflow-file': [`${ROOT}/mlruns/0/meta.yaml`], dvclive: [`${ROOT}/dvclive/metrics.json`], tensorboard: [`${ROOT}/logs/a/x.tfevents.1`] };
    assert.deepEqual(
      storesFromFiles(found, [ROOT], { mlflow: false, dvcExperiments: false, dvclive: true, tensorboard: false }).map((s) => s.kind),
      ['dvclive'],
    );
    assert.deepEqual(
      storesFromFiles(found, [ROOT], { mlflow: true, dvcExperiments: true, dvclive: false, tensorboard: true }).map((s) => s.kind).sort(),
      ['mlflow-file', 'mlflow-sqlite', 'tensorboard'],
    );
  });

  it('names each store by kind and location', () => {
    assert.equal(sourceId({ kind: 'mlflow-sqlite', location: '/p/mlflow.db' }), 'mlflow-sqlite:/p/mlflow.db');
  });
});

describe('Runs view: formatting a run', () => {
  it('shows the start time alone today and with the date another day', () => {
    const now = new Date(2025, 10, 22, 18, 0).getTime();
    assert.equal(formatStart(new Date(2025, 10, 22, 9, 5).getTime(), now), '09:05');
    assert.equal(formatStart(new Date(2025, 10, 21, 23, 59).getTime(), now), '2025-11-21 23:59');
  });

  it('formats metric values to four significant digits', () => {
    assert.equal(formatMetricValue(0.8123456), '0.8123');
    assert.equal(formatMetricValue(0.81), '0.81');
    assert.equal(formatMetricValue(12), '12');
    assert.equal(formatMetricValue(1234.5678), '1235');
    assert.equal(formatMetricValue(0.000012346), '1.235e-5');
    assert.equal(formatMetricValue(NaN), 'NaN');
    assert.equal(formatMetricValue(-Infinity), '-∞');
  });

  it('picks the configured key metric, else the first by name', () => {
    const m = { test_loss: point(0.3), test_accuracy: point(0.81), train_accuracy: point(0.9) };
    assert.equal(pickKeyMetric(m, ''), 'test_accuracy');
    assert.equal(pickKeyMetric(m, 'train_accuracy'), 'train_accuracy');
    assert.equal(pickKeyMetric(m, 'f1'), 'test_accuracy');
    assert.equal(pickKeyMetric({}, 'f1'), undefined);
  });

  it('describes a run by key metric, start and duration', () => {
    const now = new Date(2025, 10, 22, 18, 0).getTime();
    const start = new Date(2025, 10, 22, 14, 5).getTime();
    const r = run({ startTime: start, endTime: start + 65_000, metrics: { test_loss: point(0.3), test_accuracy: point(0.8123) } });
    assert.equal(runDescription(r, '', now), 'test_accuracy=0.8123 · 14:05 · 1m 05s');
    assert.equal(runDescription(r, 'test_loss', now), 'test_loss=0.3 · 14:05 · 1m 05s');
    assert.equal(runDescription(run({ status: 'RUNNING', startTime: now - 30_000 }), '', now), '17:59 · running 30s');
    assert.equal(runDescription(run(), '', now), '');
  });

  it('puts params and latest metrics in the tooltip, escaped', () => {
    const md = runTooltipMarkdown(l10n, run({ params: { alpha: '0.001', 'opt|name': 'sgd*' }, metrics: { acc: point(0.9, 4) } }));
    assert.match(md, /^\*\*bright\\-owl\\-42\*\* — finished/);
    assert.match(md, /\| alpha \| 0\\\.001 \|/);
    assert.match(md, /\| opt\\\|name \| sgd\\\* \|/);
    assert.match(md, /\| acc \| 0\\\.9 \(step 4\) \|/);
    assert.equal(escapeMarkdown('a_b'), 'a\\_b');
  });
});

describe('Runs view: the selection for comparison', () => {
  const a = { sourceId: 's1', runId: 'a' };
  const b = { sourceId: 's1', runId: 'b' };
  const c = { sourceId: 's2', runId: 'a' };

  it('adds and removes runs, keeping the order they were checked in', () => {
    let sel = updateSelection([], [{ ref: b, checked: true }]);
    sel = updateSelection(sel, [{ ref: a, checked: true }, { ref: c, checked: true }]);
    assert.deepEqual(sel, [b, a, c]);
    sel = updateSelection(sel, [{ ref: { ...a }, checked: false }, { ref: b, checked: true }]);
    assert.deepEqual(sel, [b, c]);
  });

  it('drops runs their source no longer lists, and keeps those of sources not read', () => {
    const listed = new Map([['s1', new Set(['a'])]]);
    assert.deepEqual(pruneSelection([a, b, c], listed), [a, c]);
  });
});
