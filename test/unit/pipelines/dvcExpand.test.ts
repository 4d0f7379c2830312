import { strict as assert } from 'node:assert';
import { buildDvcModel } from '../../../src/core/pipelines/dvcModel';
import { expandStages, expandedUpstream } from '../../../src/core/pipelines/dvcExpand';
import { memoryFs } from '../../../src/core/pipelines/pipelineFs';
import { parseYaml } from '../../../src/core/pipelines/yamlDocument';

const expand = (text: string, files: Record<string, string> = {}) => expandStages(buildDvcModel(parseYaml(text), text), memoryFs(files));

describe('expandStages (foreach, matrix and ${} as dvc/parsing does them)', () => {
  it('names simple foreach items by value, composite ones by index, mappings by key', () => {
    const text = [
      'stages:',
      '  a:',
      '    foreach: [x, 1, true]',
      '    do:',
      '      cmd: echo ${item}',
      '  b:',
      '    foreach: [{n: 1}, {n: 2}]',
      '    do:',
      '      cmd: echo ${item.n}',
      '  c:',
      '    foreach: {small: 1, big: 9}',
      '    do:',
      '      cmd: echo ${key}=${item}',
    ].join('\n');
    const stages = expand(text);
    assert.deepEqual(stages.map((s) => [s.name, s.cmd]), [
      ['a@x', 'echo x'],
      ['a@1', 'echo 1'],
      ['a@true', 'echo true'],
      ['b@0', 'echo 1'],
      ['b@1', 'echo 2'],
      ['c@small', 'echo small=1'],
      ['c@big', 'echo big=9'],
    ]);
    assert.equal(stages[0].source.name, 'a');
  });

  it('names matrix combinations by their values joined with -', () => {
    const text = 'stages:\n  m:\n    matrix:\n      lr: [0.1, 0.01]\n      opt: [adam]\n    cmd: train --lr ${item.lr} --opt ${item.opt}\n    outs:\n      - model-${item.lr}.pkl\n';
    const stages = expand(text);
    assert.deepEqual(stages.map((s) => s.name), ['m@0.1-adam', 'm@0.01-adam']);
    assert.deepEqual(stages[1].outs, [{ path: 'model-0.01.pkl', cache: true }]);
    assert.equal(stages[1].cmd, 'train --lr 0.01 --opt adam');
  });

  it('resolves params.yaml, top-level and stage vars, keeps the type of a whole ${}', () => {
    const text = 'vars:\n  - data: raw\nstages:\n  s:\n    vars:\n      - n: 3\n    cmd:\n      - echo ${train.lr}\n      - echo ${n}\n    deps:\n      - ${data}/in.csv\n    params:\n      - train.lr\n    frozen: ${flag}\n';
    const [s] = expand(text, { 'params.yaml': 'train:\n  lr: 0.5\nflag: true\n' });
    assert.equal(s.cmd, 'echo 0.5 && echo 3');
    assert.deepEqual(s.deps, ['raw/in.csv']);
    assert.deepEqual(s.params, [{ file: 'params.yaml', keys: ['train.lr'] }]);
    assert.equal(s.frozen, true);
    assert.equal(s.unresolved, false);
  });

  it('keeps an unknown reference as written and says so', () => {
    const [s] = expand('stages:\n  s:\n    cmd: echo ${nope}\n');
    assert.equal(s.cmd, 'echo ${nope}');
    assert.equal(s.unresolved, true);
  });

  it('finds upstream stages through expanded paths, folders and wdir', () => {
    const text = [
      'stages:',
      '  prep:',
      '    foreach: [a, b]',
      '    do:',
      '      cmd: x',
      '      outs:',
      '        - data/${item}',
      '  train:',
      '    cmd: y',
      '    deps: [data/b/part.csv]',
      '  report:',
      '    wdir: sub',
      '    cmd: z',
      '    deps: [../data]',
    ].join('\n');
    const ups = expandedUpstream(expand(text));
    assert.deepEqual(ups.get('train'), ['prep@b']);
    assert.deepEqual(ups.get('report')?.sort(), ['prep@a', 'prep@b']);
    assert.deepEqual(ups.get('prep@a'), []);
  });

  it('never throws on broken input', () => {
    for (const t of ['', 'stages: 3', 'stages:\n  a:\n    foreach: ${missing}\n    do: {cmd: x}', 'stages:\n  a:\n    matrix: 3\n    cmd: x', 'stages:\n  a: [1']) {
      assert.doesNotThrow(() => expand(t));
    }
  });
});
