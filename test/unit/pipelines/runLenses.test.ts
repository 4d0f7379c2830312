import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pipelineCodeLenses } from '../../../src/core/pipelines/languageService';
import { buildMlProject, type MlParameter } from '../../../src/core/pipelines/mlproject';
import { checkParameterValue, defaultText, localPathOf, parameterArgs, parametersToAsk } from '../../../src/core/pipelines/mlprojectParams';
import { parseYaml } from '../../../src/core/pipelines/yamlDocument';
import { EXAMPLES, exampleDvcYaml, rangeOf } from './helpers';
import { MLPROJECT } from './mlproject.test';

/** The range of a two-space-indented mapping key, as the lens sits on it. */
function keyRange(text: string, key: string) {
  const line = text.split('\n').indexOf(`  ${key}:`);
  assert.ok(line >= 0, `no key ${key}`);
  return { start: { line, character: 2 }, end: { line, character: 2 + key.length } };
}

const lensRows = (file: string, text: string) => pipelineCodeLenses(file, text).map((l) => [l.title, l.command, l.target]);

describe('run code lenses', () => {
  it('puts Run stage, Run pipeline up to here, Run in workspace and Run on cluster on every dvc.yaml stage, on its key', () => {
    const text = exampleDvcYaml();
    const lenses = pipelineCodeLenses('/p/dvc.yaml', text);
    assert.deepEqual(
      lenses.map((l) => [l.title, l.command, l.target]),
      ['prepare', 'train', 'evaluate'].flatMap((s) => [
        ['Run stage', 'mlops.runStage', s],
        ['Run pipeline up to here', 'mlops.runPipelineUpTo', s],
        ['Run in workspace', 'mlops.runStageInWorkspace', s],
        ['Run on cluster', 'mlops.runStageOnCluster', s],
      ]),
    );
    for (const [i, s] of ['prepare', 'train', 'evaluate'].entries()) {
      for (const l of lenses.slice(4 * i, 4 * i + 4)) assert.deepEqual(l.range, keyRange(text, s), s);
    }
  });

  it('puts Run entry point on every MLproject entry point and Run with parameters… where it has parameters', () => {
    const lenses = pipelineCodeLenses('/p/MLproject', MLPROJECT);
    assert.deepEqual(
      lenses.map((l) => [l.title, l.command, l.target]),
      [
        ['Run entry point', 'mlops.runMlflowEntryPoint', 'main'],
        ['Run with parameters…', 'mlops.runMlflowEntryPointWithParameters', 'main'],
        ['Run on cluster', 'mlops.runEntryPointOnCluster', 'main'],
        ['Run entry point', 'mlops.runMlflowEntryPoint', 'eval'],
        ['Run on cluster', 'mlops.runEntryPointOnCluster', 'eval'],
      ],
    );
    assert.deepEqual(lenses[0].range, rangeOf(MLPROJECT, 'main'));
    assert.deepEqual(lenses[1].range, rangeOf(MLPROJECT, 'main'));
    assert.deepEqual(lenses[2].range, rangeOf(MLPROJECT, 'main'));
    assert.deepEqual(lenses[3].range, rangeOf(MLPROJECT, 'eval', 0));
    assert.deepEqual(lenses[4].range, rangeOf(MLPROJECT, 'eval', 0));
  });

  it('lenses the example project`s MLproject: four entry points, report with parameters', () => {
    const text = readFileSync(path.join(EXAMPLES, 'MLproject'), 'utf8');
    const rows = lensRows('/x/MLproject', text);
    assert.deepEqual(
      rows.filter((r) => r[0] === 'Run entry point').map((r) => r[2]),
      ['prepare', 'train', 'evaluate', 'report'],
    );
    assert.deepEqual(rows.filter((r) => r[0] === 'Run with parameters…').map((r) => r[2]), ['report']);
    const report = pipelineCodeLenses('/x/MLproject', text).find((l) => l.target === 'report')!;
    assert.deepEqual(report.range, keyRange(text, 'report'));
  });

  it('puts no lens on an entry point without a command string, nor on other files', () => {
    const text = 'entry_points:\n  broken:\n    parameters: {a: int}\n  list:\n    command: [a, b]\n  ok:\n    command: run\n';
    assert.deepEqual(lensRows('MLproject', text), [
      ['Run entry point', 'mlops.runMlflowEntryPoint', 'ok'],
      ['Run on cluster', 'mlops.runEntryPointOnCluster', 'ok'],
    ]);
    assert.deepEqual(lensRows('params.yaml', MLPROJECT), []);
    assert.deepEqual(lensRows('MLproject', 'entry_points: [1, 2'), []);
  });

  it('follows edits: a renamed entry point moves its lenses', () => {
    const text = MLPROJECT.replace('  eval:', '  evaluate_model:');
    const last = pipelineCodeLenses('MLproject', text).at(-1)!;
    assert.equal(last.target, 'evaluate_model');
    assert.deepEqual(last.range, rangeOf(text, 'evaluate_model'));
  });
});

describe('MLproject run parameters', () => {
  const ep = buildMlProject(parseYaml(MLPROJECT)).entryPoints[0];
  const param = (name: string) => ep.parameters.find((p) => p.name === name)!;
  const p = (type: string, def?: unknown): MlParameter => ({ name: 'x', keySpan: [0, 1], type, default: def });
  const msg = (q: MlParameter, v: string, exists?: (f: string) => boolean) => checkParameterValue(q, v, { exists })?.message;

  it('asks for the parameters without a default on a plain run, for all of them with parameters', () => {
    assert.deepEqual(parametersToAsk(ep, false).map((q) => q.name), ['data']);
    assert.deepEqual(parametersToAsk(ep, true).map((q) => q.name), ['alpha', 'epochs', 'data']);
    assert.deepEqual([defaultText(param('alpha')), defaultText(param('epochs')), defaultText(param('data'))], ['0.1', '10', '']);
  });

  it('checks floats and ints as Python float() and int() read them', () => {
    for (const ok of ['0.01', '1e-3', '-2', '.5', '3.', '+1E+4', 'inf', '-NaN', '1_000.5', ' 7 ']) assert.equal(msg(param('alpha'), ok), undefined, ok);
    for (const bad of ['0,01', 'abc', '1e', '0x10', '1..2', '_1']) assert.match(msg(param('alpha'), bad) ?? '', /^alpha is a float: /, bad);
    for (const ok of ['10', '-3', '+0', '1_000']) assert.equal(msg(param('epochs'), ok), undefined, ok);
    for (const bad of ['1.5', '1e3', 'ten', '1_']) assert.match(msg(param('epochs'), bad) ?? '', /^epochs is an int: /, bad);
  });

  it('needs a scheme for a uri, as MLflow`s is_uri does', () => {
    for (const ok of ['s3://bucket/key', 'runs:/abc/model', 'file:///tmp/x', 'models:/m/1']) assert.equal(msg(p('uri'), ok), undefined, ok);
    for (const bad of ['data/train.csv', '/tmp/x', '://x']) assert.match(msg(p('uri'), bad) ?? '', /^x is a uri: give one with a scheme/, bad);
  });

  it('needs a local path to exist in the project folder, but not a URI MLflow downloads', () => {
    const files = new Set(['metrics.json', '/abs/data.csv']);
    const exists = (f: string) => files.has(f);
    assert.equal(msg(p('path'), 'metrics.json', exists), undefined);
    assert.equal(msg(p('path'), 'file:///abs/data.csv', exists), undefined);
    assert.match(msg(p('path'), 'metrics.jsn', exists) ?? '', /^x is a path: metrics\.jsn does not exist/);
    assert.equal(msg(p('path'), 's3://bucket/data.csv', exists), undefined);
    assert.equal(msg(p('path'), 'missing.csv'), undefined, 'without a file system nothing is claimed missing');
    assert.deepEqual(['rel/a', 'file:///a%20b', 'file://host/a', 'gs://b/a', 'C:\\data'].map(localPathOf), ['rel/a', '/a b', undefined, undefined, 'C:\\data']);
  });

  it('takes any string, and empty means the default where there is one', () => {
    assert.equal(msg(p('string'), 'any thing {x}'), undefined);
    assert.equal(msg(p('float', 0.1), '   '), undefined);
    assert.match(msg(p('float'), '') ?? '', /^x has no default: give a value/);
    assert.match(msg(p('string'), '') ?? '', /no default/);
  });

  it('passes only the values that differ from their default', () => {
    assert.deepEqual(parameterArgs(ep, { alpha: '0.1', epochs: ' 20 ', data: 'd.csv' }), { epochs: '20', data: 'd.csv' });
    assert.deepEqual(parameterArgs(ep, { alpha: '', epochs: '10' }), {});
  });
});
