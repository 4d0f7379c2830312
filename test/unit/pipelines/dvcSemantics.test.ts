import { strict as assert } from 'node:assert';
import { validatePipelineFile } from '../../../src/core/pipelines/languageService';
import { memoryFs } from '../../../src/core/pipelines/pipelineFs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { examplesFs, exampleDvcYaml, rangeOf } from './helpers';

const check = (text: string, files: Record<string, string> = {}) => validatePipelineFile('dvc.yaml', text, memoryFs(files));
const only = (text: string, code: string, files?: Record<string, string>) => check(text, files).filter((d) => d.code === code);

describe('dvc.yaml semantic diagnostics', () => {
  it('finds nothing wrong with examples/ (dvc.yaml, params.yaml, src/)', () => {
    assert.deepEqual(validatePipelineFile('dvc.yaml', exampleDvcYaml(), examplesFs()), []);
  });

  it('warns about a dep that is not on disk and no stage output', () => {
    const text = 'stages:\n  a:\n    cmd: x\n    deps: [here.py, gone.py, made/file.txt]\n    outs: [made]\n';
    const ds = only(text, 'dep-missing', { 'here.py': '' });
    assert.equal(ds.length, 1);
    assert.equal(ds[0].severity, 'warning');
    assert.deepEqual(ds[0].range, rangeOf(text, 'gone.py'));
  });

  it('resolves deps against wdir', () => {
    const text = 'stages:\n  a:\n    cmd: x\n    wdir: sub\n    deps: [in.py, ../top.py]\n';
    assert.deepEqual(only(text, 'dep-missing', { 'sub/in.py': '', 'top.py': '' }), []);
  });

  it('errors on the same output in two stages, on the later one', () => {
    const text = 'stages:\n  a:\n    cmd: x\n    outs: [m.pkl]\n  b:\n    cmd: y\n    metrics:\n      - m.pkl:\n          cache: false\n';
    const [d, ...rest] = only(text, 'duplicate-out');
    assert.equal(rest.length, 0);
    assert.deepEqual(d.range, rangeOf(text, 'm.pkl', 1));
    assert.match(d.message, /stage 'a'/);
  });

  it('errors on an output inside another stage\'s output folder', () => {
    const text = 'stages:\n  a:\n    cmd: x\n    outs: [data]\n  b:\n    cmd: y\n    outs: [data/sub/f.csv]\n';
    const [d] = only(text, 'overlapping-out');
    assert.deepEqual(d.range, rangeOf(text, 'data/sub/f.csv'));
  });

  it('errors once on a cycle, naming its stages, the others as related entries', () => {
    const text = 'stages:\n  a:\n    cmd: x\n    deps: [b.out]\n    outs: [a.out]\n  b:\n    cmd: y\n    deps: [a.out]\n    outs: [b.out]\n  c:\n    cmd: z\n    deps: [a.out]\n';
    const ds = only(text, 'cycle');
    const [a, b] = [rangeOf(text, 'a:'), rangeOf(text, 'b:')].map((r) => ({ ...r, end: { ...r.end, character: r.end.character - 1 } }));
    assert.deepEqual(ds.map((d) => d.range), [a]);
    assert.match(ds[0].message, /'a' → 'b' → 'a'/);
    assert.deepEqual(ds[0].related, [{ range: b, message: "'b' is in the cycle." }]);
  });

  it('errors on a param key missing from its params file, default and named', () => {
    const text = 'stages:\n  a:\n    cmd: x\n    params:\n      - train.lr\n      - train.nope\n      - other.yaml: [seed, missing]\n      - absent.yaml: [k]\n';
    const files = { 'params.yaml': 'train:\n  lr: 1\n', 'other.yaml': 'seed: 3\n' };
    assert.deepEqual(only(text, 'param-missing', files).map((d) => d.range), [rangeOf(text, 'train.nope'), rangeOf(text, 'missing')]);
    assert.deepEqual(only(text, 'params-file-missing', files).map((d) => d.range), [{ start: { line: 7, character: 22 }, end: { line: 7, character: 23 } }]);
  });

  it('errors on an undefined ${} reference and accepts defined ones', () => {
    const text = [
      'vars:',
      '  - data_dir: data',
      '  - cfg.yaml:model',
      'stages:',
      '  a:',
      '    cmd: run ${data_dir} ${train.lr} ${model.depth} ${nope} ${train.beta}',
      '  e:',
      '    foreach:',
      '      - {x: 1}',
      '      - {x: 2}',
      '    do:',
      '      cmd: run ${item.x} ${item.y} ${key}',
      '  k:',
      '    foreach: {one: 1}',
      '    do:',
      '      cmd: run ${key} ${item}',
      '  m:',
      '    matrix: {lr: [1, 2]}',
      '    cmd: run ${item.lr} ${item.bs}',
      '',
    ].join('\n');
    const files = { 'params.yaml': 'train:\n  lr: 1\n', 'cfg.yaml': 'model:\n  depth: 3\nother: 1\n' };
    const ds = only(text, 'undefined-var', files);
    assert.deepEqual(
      ds.map((d) => d.range),
      ['${nope}', '${train.beta}', '${item.y}', '${key}', '${item.bs}'].map((s) => rangeOf(text, s)),
    );
    assert.match(ds[1].message, /'train\.beta'/);
  });

  it('reports a vars file that does not exist', () => {
    const text = 'vars:\n  - gone.yaml\nstages:\n  a:\n    cmd: x\n';
    assert.deepEqual(only(text, 'vars-file-missing').map((d) => d.range), [rangeOf(text, 'gone.yaml')]);
  });

  it('skips file checks without a file system, keeping the others', () => {
    const text = 'stages:\n  a:\n    cmd: x\n    deps: [gone]\n    params: [p]\n    outs: [o]\n  b:\n    cmd: y\n    outs: [o]\n';
    assert.deepEqual(validatePipelineFile('dvc.yaml', text).map((d) => d.code), ['duplicate-out']);
  });
});

describe('dvc.yaml templating fixture', () => {
  it('validates fixtures/templated.dvc.yaml (vars, foreach list/dict/ref, matrix) cleanly', () => {
    const text = readFileSync(path.join(__dirname, 'fixtures', 'templated.dvc.yaml'), 'utf8');
    const fs = memoryFs({ 'params.yaml': 'prepare:\n  seed: 1\n', 'config.yaml': 'model:\n  depth: 3\n', 'src/prepare.py': '', 'src/train.py': '' });
    assert.deepEqual(validatePipelineFile('dvc.yaml', text, fs), []);
  });
});

describe('diagnostics under a syntax error', () => {
  it('gives a value the parser rejected one diagnostic, the syntax error', () => {
    const text = exampleDvcYaml().replace('      - src/prepare.py', '      - @src/prepare.py');
    const ds = validatePipelineFile('dvc.yaml', text, examplesFs());
    assert.deepEqual(ds.map((d) => [d.code, d.range]), [['yaml-syntax', rangeOf(text, '@src/prepare.py')]]);
  });
});
