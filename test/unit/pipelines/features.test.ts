import { strict as assert } from 'node:assert';
import {
  completePipelineFile,
  hoverPipelineFile,
  pipelineCodeLenses,
  pipelineDefinition,
  pipelineSymbols,
} from '../../../src/core/pipelines/languageService';
import { memoryFs } from '../../../src/core/pipelines/pipelineFs';
import { examplesFs, exampleDvcYaml, offsetOf, rangeOf } from './helpers';
import { MLPROJECT } from './mlproject.test';

const LOCK = [
  "schema: '2.0'",
  'stages:',
  '  train:',
  '    cmd: python src/train.py',
  '    deps:',
  '    - path: data/prepared',
  '      hash: md5',
  '      md5: 0123abcd.dir',
  '      size: 2048',
  '      nfiles: 2',
  '    outs:',
  '    - path: models/model.pkl',
  '      md5: feed',
  '      size: 10',
  '',
].join('\n');

describe('dvc.yaml editor features', () => {
  const text = exampleDvcYaml();
  const fs = examplesFs({ 'dvc.lock': LOCK });

  it('completes stage keys that are not there yet', () => {
    const t = text.replace('    desc: Score the model', '    \n    desc: Score the model');
    const labels = completePipelineFile('dvc.yaml', t, offsetOf(t, '    \n    desc: Score', 4), fs).map((c) => c.label);
    assert.ok(labels.includes('outs') && labels.includes('frozen'), labels.join());
    assert.ok(!labels.includes('cmd'), 'cmd is already there');
  });

  it('completes params keys from params.yaml in a params list', () => {
    const t = text.replace('      - train.eta0\n', '      - train.eta0\n      - tr\n');
    const items = completePipelineFile('dvc.yaml', t, offsetOf(t, '      - tr\n', 10), fs);
    const epochs = items.find((c) => c.label === 'train.epochs');
    assert.ok(epochs, items.map((c) => c.label).join());
    assert.equal(epochs.detail, '10');
    assert.equal(epochs.replaceFrom, offsetOf(t, '      - tr\n', 8));
  });

  it('completes file paths in deps and ${} names', () => {
    const t = text.replace('      - src/evaluate.py\n', '      - src/\n');
    const paths = completePipelineFile('dvc.yaml', t, offsetOf(t, '      - src/\n', 12), fs).map((c) => c.label);
    assert.ok(paths.includes('src/evaluate.py'), paths.join());
    const v = text.replace('cmd: python src/evaluate.py', 'cmd: python src/evaluate.py ${tra');
    const names = completePipelineFile('dvc.yaml', v, offsetOf(v, '${tra', 5), fs).map((c) => c.label);
    assert.ok(names.includes('train.epochs'), names.join());
  });

  it('hovers a param with its value and a dep with its dvc.lock hash and size', () => {
    const h = hoverPipelineFile('dvc.yaml', text, offsetOf(text, 'train.epochs', 3), fs);
    assert.equal(h?.markdown, '`train.epochs` = `10` (params.yaml)');
    assert.deepEqual(h?.range, rangeOf(text, 'train.epochs'));
    const dep = hoverPipelineFile('dvc.yaml', text, offsetOf(text, '- data/prepared\n      - src/train.py', 4), fs);
    assert.match(dep?.markdown ?? '', /md5 `0123abcd\.dir`, 2\.0 KB, 2 files/);
  });

  it('goes from a param to its key in params.yaml and from a dep to the file', () => {
    const [param] = pipelineDefinition('dvc.yaml', text, offsetOf(text, 'train.epochs', 7), fs);
    assert.deepEqual(param, { file: 'params.yaml', range: { start: { line: 8, character: 2 }, end: { line: 8, character: 8 } } });
    const [dep] = pipelineDefinition('dvc.yaml', text, offsetOf(text, '- src/evaluate.py', 4), fs);
    assert.equal(dep.file, 'src/evaluate.py');
  });

  it('goes from ${var} to its definition in vars', () => {
    const t = 'vars:\n  - lr: 0.1\nstages:\n  a:\n    cmd: run ${lr}\n';
    const [d] = pipelineDefinition('dvc.yaml', t, offsetOf(t, '${lr}', 3), memoryFs({}));
    assert.deepEqual(d, { file: '', range: rangeOf(t, 'lr') });
  });

  it('lists stages as symbols and puts two run lenses on each', () => {
    assert.deepEqual(pipelineSymbols('dvc.yaml', text).map((s) => s.name), ['prepare', 'train', 'evaluate']);
    const lenses = pipelineCodeLenses('dvc.yaml', text);
    assert.deepEqual(lenses.slice(0, 2).map((l) => [l.title, l.command, l.target]), [
      ['Run stage', 'mlops.runStage', 'prepare'],
      ['Run pipeline up to here', 'mlops.runPipelineUpTo', 'prepare'],
    ]);
    assert.deepEqual(lenses[0].range, rangeOf(text, 'prepare'));
  });
});

describe('MLproject editor features', () => {
  it('hovers and resolves a {param} in a command, completes parameter names and types', () => {
    const h = hoverPipelineFile('MLproject', MLPROJECT, offsetOf(MLPROJECT, '{alpha}', 2));
    assert.equal(h?.markdown, 'Parameter `alpha`: float, default `0.1`');
    const [d] = pipelineDefinition('MLproject', MLPROJECT, offsetOf(MLPROJECT, '{epochs}', 2));
    assert.deepEqual(d.range, rangeOf(MLPROJECT, 'epochs'));
    const t = MLPROJECT.replace('--data {data}"', '--data {');
    const names = completePipelineFile('MLproject', t, offsetOf(t, '--data {', 8)).map((c) => c.label);
    assert.deepEqual(names, ['alpha', 'epochs', 'data']);
    assert.deepEqual(pipelineSymbols('MLproject', MLPROJECT).map((s) => s.name), ['main', 'eval']);
  });
});
