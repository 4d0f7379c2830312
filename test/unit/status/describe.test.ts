import { strict as assert } from 'node:assert';
import { describeStageChanges } from '../../../src/core/pipelines/status/describe';

describe('describeStageChanges', () => {
  it('turns dvc status entries into one line per change', () => {
    assert.deepEqual(
      describeStageChanges([
        { 'changed deps': { 'src/train.py': 'modified', 'params.yaml': { 'train.epochs': 'modified', 'train.lr': 'new' } } },
        { 'changed outs': { 'models/model.pkl': 'not in cache' } },
        'changed command',
        'always changed',
      ]),
      [
        'deps: src/train.py modified',
        'param train.epochs modified (params.yaml)',
        'param train.lr new (params.yaml)',
        'outs: models/model.pkl not in cache',
        'changed command',
        'always changed',
      ],
    );
  });
});
