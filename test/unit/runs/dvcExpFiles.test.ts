import { strict as assert } from 'node:assert';
import { metricValues, pipelineFiles, selectParams } from '../../../src/core/runs/dvc/dvcExpFiles';

const files = (m: Record<string, string>) => (p: string) => m[p];

describe('DVC experiments: the params and metrics files of a revision', () => {
  it('takes stage params (bare keys from params.yaml, keyed files), top-level params and metrics, and params.yaml whole', () => {
    const plan = pipelineFiles(
      ['dvc.yaml'],
      files({
        'dvc.yaml': `params:
  - extra.yaml
metrics:
  - eval/summary.json
stages:
  train:
    cmd: python train.py
    params:
      - train.lr
      - conf/model.yaml:
          - depth
    metrics:
      - metrics.json:
          cache: false
`,
        'params.yaml': 'train:\n  lr: 1\n',
      }),
    );
    assert.deepEqual(Object.fromEntries([...plan.params].map(([f, k]) => [f, k === 'all' ? k : [...k]])), {
      'params.yaml': 'all',
      'conf/model.yaml': ['depth'],
      'extra.yaml': 'all',
    });
    assert.deepEqual(plan.metrics.sort(), ['dvclive/metrics.json', 'eval/summary.json', 'metrics.json']);
    assert.deepEqual([...plan.optional], ['dvclive/metrics.json']);
  });

  it('expands foreach stages and resolves their params paths against wdir and nested dvc.yaml folders', () => {
    const plan = pipelineFiles(
      ['sub/dvc.yaml'],
      files({
        'sub/dvc.yaml': `stages:
  fit:
    foreach: [a, b]
    do:
      wdir: models
      cmd: python fit.py \${item}
      params:
        - cfg.yaml:
            - \${item}.lr
`,
      }),
    );
    assert.deepEqual(Object.fromEntries([...plan.params].map(([f, k]) => [f, k === 'all' ? k : [...k].sort()])), { 'sub/models/cfg.yaml': ['a.lr', 'b.lr'] });
  });

  it('names params from dvc.lock when the revision has no dvc.yaml', () => {
    const plan = pipelineFiles(['dvc.yaml'], files({ 'dvc.lock': "schema: '2.0'\nstages:\n  s:\n    cmd: x\n    params:\n      p.yaml:\n        a.b: 1\n" }));
    assert.deepEqual([...plan.params].map(([f, k]) => [f, k === 'all' ? k : [...k]]), [['p.yaml', ['a.b']]]);
  });

  it('shows a keyed params file by its keys only, flattened with dots', () => {
    const data = { depth: { max: 3, min: 1 }, width: 4, tags: ['x', 'y'] };
    assert.deepEqual(selectParams(data, new Set(['depth', 'tags', 'missing'])), { 'depth.max': '3', 'depth.min': '1', tags: '["x","y"]' });
    assert.deepEqual(selectParams(data, 'all'), { 'depth.max': '3', 'depth.min': '1', width: '4', tags: '["x","y"]' });
  });

  it('reads numeric metrics nested with "/", DVCLive\'s step as the step, strings left out', () => {
    assert.deepEqual(metricValues({ step: 9, train: { loss: 0.5 }, acc: 0.9, note: 'x', ok: true }), {
      step: 9,
      values: [
        ['train/loss', 0.5],
        ['acc', 0.9],
        ['ok', 1],
      ],
    });
  });
});
