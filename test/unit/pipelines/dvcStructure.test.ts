import { strict as assert } from 'node:assert';
import { validatePipelineFile } from '../../../src/core/pipelines/languageService';
import { memoryFs } from '../../../src/core/pipelines/pipelineFs';
import { rangeOf } from './helpers';

const check = (text: string, files: Record<string, string> = {}) => validatePipelineFile('dvc.yaml', text, memoryFs(files));
const only = (text: string, code: string, files?: Record<string, string>) => check(text, files).filter((d) => d.code === code);

describe('dvc.yaml structure diagnostics', () => {
  it('flags an unknown stage key on the key, with a "did you mean"', () => {
    const text = 'stages:\n  train:\n    cmd: python t.py\n    dep:\n      - a\n';
    const [d, ...rest] = check(text);
    assert.equal(rest.length, 0, JSON.stringify(rest));
    assert.equal(d.code, 'unknown-key');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /Did you mean 'deps'\?/);
    assert.deepEqual(d.range, { start: { line: 3, character: 4 }, end: { line: 3, character: 7 } });
  });

  it('flags unknown top-level keys and out options', () => {
    const text = 'stagse:\n  a: 1\nstages:\n  s:\n    cmd: x\n    outs:\n      - m.pkl:\n          cahce: false\n';
    const ds = only(text, 'unknown-key');
    assert.equal(ds.length, 2);
    assert.match(ds[0].message, /'stages'/);
    assert.deepEqual(ds[1].range, rangeOf(text, 'cahce'));
    assert.match(ds[1].message, /'cache'/);
  });

  it('reports a stage without cmd on its name, also for foreach', () => {
    const text = 'stages:\n  train:\n    deps: [a]\n  each:\n    foreach: [1, 2]\n    do:\n      desc: x\n';
    const ds = only(text, 'missing-cmd');
    assert.deepEqual(
      ds.map((d) => d.range),
      [rangeOf(text, 'train'), rangeOf(text, 'each')],
    );
  });

  it('reports wrong types on the value', () => {
    const text = 'stages:\n  s:\n    cmd: {a: 1}\n    frozen: yes please\n    deps: a.txt\n    outs:\n      - m:\n          cache: sometimes\n';
    const ds = only(text, 'wrong-type');
    assert.deepEqual(
      ds.map((d) => d.range),
      [rangeOf(text, '{a: 1}'), rangeOf(text, 'yes please'), rangeOf(text, 'a.txt'), rangeOf(text, 'sometimes')],
    );
  });

  it('accepts every documented form', () => {
    const text = [
      'vars:',
      '  - config.yaml',
      '  - {lr: 0.1}',
      'params: [params.yaml]',
      'metrics: [m.json]',
      'plots:',
      '  - p.csv',
      '  - loss:',
      '      x: step',
      '      y: {logs/train.tsv: [loss, acc]}',
      '      template: linear',
      'artifacts:',
      '  model:',
      '    path: m.pkl',
      '    type: model',
      '    labels: [a]',
      'stages:',
      '  s:',
      '    cmd: [echo a, echo b]',
      '    wdir: .',
      '    frozen: false',
      '    always_changed: true',
      '    desc: d',
      '    meta: {any: thing}',
      '    vars: [{n: 1}]',
      '    params:',
      '      - lr',
      '      - config.yaml: [seed]',
      '      - config.yaml:',
      '    outs:',
      '      - m.pkl:',
      '          cache: true',
      '          persist: false',
      '          remote: r',
      '          push: false',
      '          desc: d',
      '          type: model',
      '          labels: [x]',
      '          meta: {}',
      '    metrics: [{m.json: {cache: false}}]',
      '    plots: [{p.csv: {x: a, y: b, template: scatter, title: t}}]',
      '  grid:',
      '    matrix:',
      '      model: [a, b]',
      '      lr: [1, 2]',
      '    cmd: train ${item.model} ${item.lr} ${n2}',
      '    vars: [{n2: 2}]',
      '',
    ].join('\n');
    assert.deepEqual(check(text, { 'config.yaml': 'seed: 1\n', 'params.yaml': 'lr: 1\n' }), []);
  });

  it('flags invalid stage names', () => {
    const text = 'stages:\n  a/b:\n    cmd: x\n  "c:d":\n    cmd: y\n';
    const ds = only(text, 'invalid-stage-name');
    assert.deepEqual(ds.map((d) => d.range), [rangeOf(text, 'a/b'), rangeOf(text, '"c:d"')]);
  });

  it('flags a bad foreach and a bad matrix', () => {
    const text = 'stages:\n  a:\n    foreach: 3\n    do:\n      cmd: x\n  b:\n    foreach: []\n    do: {cmd: x}\n  c:\n    foreach: [1]\n  d:\n    matrix:\n      m: []\n      n: 5\n    cmd: x\n';
    assert.deepEqual(
      only(text, 'bad-foreach').map((d) => d.range),
      [rangeOf(text, '3'), rangeOf(text, '[]'), { start: { line: 8, character: 2 }, end: { line: 8, character: 3 } }],
    );
    assert.deepEqual(only(text, 'bad-matrix').map((d) => d.range), [rangeOf(text, '[]', 1), rangeOf(text, '5')]);
  });

  it('flags a stage list whose every entry is commented out (null, which DVC refuses)', () => {
    const text = 'stages:\n  s:\n    cmd: x\n    outs:\n      # - m.pkl\n';
    assert.deepEqual(check(text).map((d) => [d.code, d.severity, d.range]), [['wrong-type', 'error', rangeOf(text, 'outs')]]);
  });

  it('takes DVC 2\'s checkpoint: true on an output with a deprecation hint', () => {
    const text = 'stages:\n  s:\n    cmd: x\n    outs:\n      - m.pkl:\n          checkpoint: true\n';
    assert.deepEqual(check(text).map((d) => [d.code, d.severity]), [['deprecated-key', 'hint']]);
  });

  it('knows ${key} in a matrix stage', () => {
    const text = 'stages:\n  s:\n    matrix:\n      lr: [1, 2]\n    cmd: echo ${key} ${item.lr}\n';
    assert.deepEqual(check(text), []);
  });
});
