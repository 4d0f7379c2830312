import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { parseYaml } from '../../../src/core/pipelines/yamlDocument';
import { EXAMPLES } from './helpers';

// parseYaml finds duplicate keys itself (linear) instead of the yaml package's quadratic
// check: its errors must be exactly the package's own, on crafted and mutated files.
type Err = { code: string; pos: [number, number]; message: string };
const theirs = (text: string): Err[] => parseDocument(text, { prettyErrors: false, uniqueKeys: true }).errors;
const ours = (text: string): Err[] => parseYaml(text).doc.errors;

/**
 * The same errors in the same order. A duplicate key the package reports at the end of
 * the key's indentation (after a broken line) we report on the key itself: only
 * whitespace may lie between the two offsets.
 */
function assertSame(text: string) {
  const a = ours(text);
  const b = theirs(text);
  const show = (l: Err[]) => JSON.stringify(l.map((e) => [e.code, ...e.pos]));
  assert.equal(a.length, b.length, `${show(a)} vs ${show(b)}\n${text}`);
  a.forEach((e, i) => {
    const t = b[i];
    assert.equal(e.code, t.code, `${show(a)} vs ${show(b)}`);
    assert.equal(e.message, t.message);
    if (e.code !== 'DUPLICATE_KEY') assert.deepEqual(e.pos, t.pos);
    else assert.match(text.slice(Math.min(e.pos[0], t.pos[0]), Math.max(e.pos[0], t.pos[0])), /^\s*$/, `${show(a)} vs ${show(b)}`);
  });
}

describe('duplicate keys (linear check) equal the yaml package’s own', () => {
  const crafted = [
    'a: 1\na: 2\n',
    'stages:\n  t:\n    cmd: a\n  t:\n    cmd: b\n  t: x\n',
    '{a: 1, b: 2, a: 3}\n',
    'x:\n  ? k\n  : 1\n  k: 2\n',
    '1: a\n"1": b\n1: c\n',
    'a: [1\nb: 2\nb: 3\n',
    'a: &x 1\n&y a: 2\n',
    ': 1\n: 2\n',
    'a:\n  b: 1\n  b: 2\n c: 3\na: 4\n',
  ];
  for (const text of crafted) {
    it(`on ${JSON.stringify(text)}`, () => assertSame(text));
  }

  it('on 1,000 random mutations of examples/dvc.yaml', function () {
    this.timeout(60000);
    const base = readFileSync(path.join(EXAMPLES, 'dvc.yaml'), 'utf8').split('\n');
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let i = 0; i < 1000; i++) {
      const lines = [...base];
      for (let m = 0; m < 1 + rand(4); m++) {
        const a = rand(lines.length);
        const b = rand(lines.length);
        if (rand(2)) lines.splice(b, 0, lines[a]); // a duplicated line: often a duplicate key
        else [lines[a], lines[b]] = [lines[b], lines[a]];
      }
      const text = lines.join('\n');
      assertSame(text);
    }
  });
});
