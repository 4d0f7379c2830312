import { strict as assert } from 'node:assert';
import { listDvcStages } from '../../src/core/pipelines/dvcStages';

describe('listDvcStages', () => {
  const text = [
    'stages:',
    '  prepare:',
    '    cmd: python src/prepare.py',
    '    desc: Make the dataset',
    '  train:',
    '    cmd:',
    '      - python src/train.py',
    '      - echo done',
    '  eval:',
    '    foreach: [a, b]',
    '    do:',
    '      cmd: python eval.py ${item}',
    '',
  ].join('\n');

  it('lists stages in file order with their name ranges', () => {
    const stages = listDvcStages(text);
    assert.deepEqual(
      stages.map((s) => s.name),
      ['prepare', 'train', 'eval'],
    );
    assert.deepEqual(stages[1].range, { start: { line: 4, character: 2 }, end: { line: 4, character: 7 } });
  });

  it('joins list commands, reads desc, and unwraps foreach/do', () => {
    const [prepare, train, evalStage] = listDvcStages(text);
    assert.equal(prepare.desc, 'Make the dataset');
    assert.equal(train.cmd, 'python src/train.py && echo done');
    assert.equal(evalStage.templated, true);
    assert.equal(evalStage.cmd, 'python eval.py ${item}');
  });

  it('returns what parses from a broken file and nothing from a non-pipeline', () => {
    assert.deepEqual(listDvcStages('stages: [1, 2]'), []);
    assert.deepEqual(listDvcStages(''), []);
    const partial = listDvcStages('stages:\n  a:\n    cmd: x\n  b:\n    cmd: [\n');
    assert.ok(partial.some((s) => s.name === 'a'));
  });
});
