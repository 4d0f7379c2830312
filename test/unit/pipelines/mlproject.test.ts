import { strict as assert } from 'node:assert';
import { validatePipelineFile } from '../../../src/core/pipelines/languageService';
import { memoryFs } from '../../../src/core/pipelines/pipelineFs';
import { rangeOf } from './helpers';

export const MLPROJECT = [
  'name: demo',
  'python_env: python_env.yaml',
  'entry_points:',
  '  main:',
  '    parameters:',
  '      alpha: {type: float, default: 0.1}',
  '      epochs: {type: int, default: 10}',
  '      data: path',
  '    command: "python train.py --alpha {alpha} --epochs {epochs} --data {data}"',
  '  eval:',
  '    command: python eval.py',
  '',
].join('\n');

const check = (text: string, files: Record<string, string> = { 'python_env.yaml': '' }) => validatePipelineFile('/p/MLproject', text, memoryFs(files));

describe('MLproject diagnostics', () => {
  it('finds nothing wrong with a valid project', () => {
    assert.deepEqual(check(MLPROJECT), []);
  });

  it('warns of a duplicate key (MLflow keeps the last) and checks only the last one', () => {
    const text = MLPROJECT.replace('  eval:\n', '  main:\n    command: "python t.py {nope}"\n  eval:\n').replace('name: demo\n', 'name: demo\nname: other\n');
    const ds = check(text);
    assert.deepEqual(
      ds.map((d) => [d.code, d.severity, d.message]),
      [
        ['duplicate-key', 'warning', "Duplicate key: MLflow uses the last 'name' and ignores the earlier ones."],
        ['duplicate-key', 'warning', "Duplicate key: MLflow uses the last 'main' and ignores the earlier ones."],
        ['undefined-param', 'error', "Command uses {nope}, which is no parameter of entry point 'main'."],
      ],
    );
    assert.deepEqual(ds[1].range, rangeOf(text, 'main', 1));
  });

  it('flags a command reference to no parameter, on the reference', () => {
    const text = MLPROJECT.replace('--data {data}', '--data {dataset}');
    const ds = check(text);
    assert.deepEqual(ds.map((d) => [d.code, d.range]), [['undefined-param', rangeOf(text, '{dataset}')]]);
  });

  it('flags unknown types and defaults that do not fit their type', () => {
    const text = MLPROJECT.replace('type: float, default: 0.1', 'type: double, default: 0.1').replace('default: 10', 'default: 1.5');
    assert.deepEqual(
      check(text).map((d) => [d.code, d.range]),
      [
        ['bad-param-type', rangeOf(text, 'double')],
        ['bad-default', rangeOf(text, '1.5')],
      ],
    );
    // MLflow passes unknown types and unfitting defaults through: hint and warning, not errors.
    assert.deepEqual(check(text).map((d) => d.severity), ['hint', 'warning']);
  });

  it('flags a missing environment file, unknown keys and a missing command', () => {
    const text = 'name: x\nconda_env: conda.yaml\nentrypoints: {}\nentry_points:\n  main:\n    paramters: {}\n';
    const ds = check(text, {});
    assert.deepEqual(
      ds.map((d) => d.code),
      ['env-file-missing', 'ignored-key', 'ignored-key', 'missing-command'],
    );
    // MLflow's loader ignores unknown keys: a warning, never an error.
    assert.deepEqual(ds.map((d) => d.severity), ['error', 'warning', 'warning', 'error']);
    assert.deepEqual(ds[0].range, rangeOf(text, 'conda.yaml'));
    assert.match(ds[1].message, /Did you mean 'entry_points'/);
    assert.match(ds[2].message, /Did you mean 'parameters'/);
  });

  it('flags docker_env without an image', () => {
    const text = 'name: x\ndocker_env:\n  volumes: [a]\n';
    assert.deepEqual(check(text).map((d) => [d.code, d.range]), [['missing-image', rangeOf(text, 'docker_env')]]);
  });

  it('flags an empty MLproject, which MLflow cannot load', () => {
    assert.deepEqual(check('# nothing yet\n').map((d) => [d.code, d.severity]), [['empty-mlproject', 'error']]);
  });

  it('accepts a quoted command continued at its key\'s indentation, as PyYAML does', () => {
    const text = MLPROJECT.replace('"python train.py --alpha {alpha}', '"python train.py\n    --alpha {alpha}');
    const ds = check(text);
    assert.deepEqual(ds.map((d) => [d.code, d.severity]), [['yaml-lenient', 'warning']]);
  });
});
