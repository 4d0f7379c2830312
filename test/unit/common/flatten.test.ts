import { strict as assert } from 'node:assert';
import { flattenLeaves, MAX_NESTING, TooDeepError } from '../../../src/core/common/flatten';

describe('flattenLeaves', () => {
  it('gives the leaves in document order, lists and scalars as leaves', () => {
    const data = { a: 1, b: { c: [1, 2], d: { e: 'x' }, f: {} }, g: null };
    assert.deepEqual(flattenLeaves(data, '.'), [
      ['a', 1],
      ['b.c', [1, 2]],
      ['b.d.e', 'x'],
      ['b.f', {}],
      ['g', null],
    ]);
    assert.deepEqual(flattenLeaves(data, '/', 'p/', false).map(([k]) => k), ['p/a', 'p/b/c', 'p/b/d/e', 'p/g']);
  });

  it(`takes ${MAX_NESTING} levels and refuses 20,000 with TooDeepError, not a stack overflow`, () => {
    const nest = (depth: number) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown;
    assert.deepEqual(flattenLeaves(nest(MAX_NESTING), '/'), [[Array(MAX_NESTING).fill('a').join('/'), 1]]);
    assert.throws(() => flattenLeaves(nest(20_000), '/'), TooDeepError);
  });
});
