import { strict as assert } from 'node:assert';
import { LineIndex } from '../../src/core/common/positions';

describe('LineIndex', () => {
  it('maps offsets to zero-based line/character across \\n, \\r\\n and \\r endings', () => {
    const text = 'ab\ncd\r\nef\rgh';
    const idx = new LineIndex(text);
    assert.deepEqual(idx.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(idx.positionAt(text.indexOf('c')), { line: 1, character: 0 });
    assert.deepEqual(idx.positionAt(text.indexOf('f')), { line: 2, character: 1 });
    assert.deepEqual(idx.positionAt(text.indexOf('h')), { line: 3, character: 1 });
  });

  it('clamps offsets outside the text', () => {
    const idx = new LineIndex('x\ny');
    assert.deepEqual(idx.positionAt(-5), { line: 0, character: 0 });
    assert.deepEqual(idx.positionAt(99), { line: 1, character: 1 });
  });
});
