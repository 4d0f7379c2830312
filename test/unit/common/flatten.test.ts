import { strict as assert } from 'node:assert';
import { flattenLeaves, MAX_NESTING, TooDeepError, walkEntries } from '../../../src/core/common/flatten';

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

describe('walkEntries', () => {
  it('visits every entry in document order, a map before its entries, not into lists or what the visitor declines', () => {
    const data = { a: 1, b: { c: [{ x: 1 }], d: { e: 'x' }, skip: { no: 1 } }, g: null };
    const seen: string[] = [];
    walkEntries(data, (path) => (seen.push(path.join('/')), path[path.length - 1] !== 'skip'));
    assert.deepEqual(seen, ['a', 'b', 'b/c', 'b/d', 'b/d/e', 'b/skip', 'g']);
  });

  it('refuses nesting past the cap without overflowing the stack', () => {
    const nest = (depth: number) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown;
    assert.throws(() => walkEntries(nest(20_000), () => true), TooDeepError);
  });
});
