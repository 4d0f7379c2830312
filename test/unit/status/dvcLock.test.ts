import { strict as assert } from 'node:assert';
import { parseDvcLock } from '../../../src/core/pipelines/status/dvcLock';

describe('dvc.lock parser', () => {
  it('keeps an md5 of only digits (or digits and an e) exactly as written', () => {
    const text = [
      'schema: \'2.0\'',
      'stages:',
      '  train:',
      '    cmd: python train.py',
      '    deps:',
      '    - path: data.csv',
      '      md5: 12345678901234567890123456789012',
      '      size: 10',
      '    outs:',
      '    - path: model.pkl',
      '      md5: 1234567890123456789012345678e901',
      '    - path: other.bin',
      '      md5: d41d8cd98f00b204e9800998ecf8427e',
      '      size: 3',
      '',
    ].join('\n');
    const lock = parseDvcLock(text);
    assert.equal(lock.train.deps[0].md5, '12345678901234567890123456789012');
    assert.equal(lock.train.deps[0].size, 10);
    assert.equal(lock.train.outs[0].md5, '1234567890123456789012345678e901');
    assert.equal(lock.train.outs[1].md5, 'd41d8cd98f00b204e9800998ecf8427e');
    assert.equal(lock.train.outs[1].path, 'other.bin');
  });
});
