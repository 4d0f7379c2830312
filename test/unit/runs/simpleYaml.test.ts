import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import { parseSimpleYaml } from '../../../src/core/runs/dvc/simpleYaml';

// The fast path must agree with the yaml package whenever it answers at all.
const cases: { text: string; fast: boolean }[] = [
  { text: 'train:\n  lr: 0.1\n  epochs: 3\n  name: mlp\n', fast: true },
  { text: 'a:\n  b:\n    c: 1e-5\n    d: -0.5\n    e: .5\n  f: +7\nz: true\n', fast: true },
  { text: '# comment\nprepare:\n  seed: 42  # trailing\n  n: 0123\n\ntrain:\n  alpha: 0.0001\n', fast: true },
  { text: 'layers:\n- 1\n- 2\n- three\nother: x\n', fast: true },
  { text: 'm:\n  layers:\n    - 64\n    - 32\n  act: relu\nn: [1, 2.5, a]\ne: []\n', fast: true },
  { text: "q: 'single'\nd: \"double\"\nnul: ~\nempty:\nnothing: null\nd2: 2024-01-01\nu: 1_000\nurl: http://x.org/a\n", fast: true },
  { text: 'a: True\nb: FALSE\nc: NULL\nd: yes\ne: no\n', fast: true },
  { text: 'a: 1\na: 2\n', fast: false },
  { text: 'a: &x 1\nb: *x\n', fast: false },
  { text: 'a: |\n  multi\n  line\n', fast: false },
  { text: 'a: {b: 1}\n', fast: false },
  { text: "a: 'it''s'\n", fast: false },
  { text: 'a: "esc\\n"\n', fast: false },
  { text: 'a:\n  - name: x\n    v: 1\n', fast: false },
  { text: 'a: .inf\nb: .nan\nc: 0x1F\n', fast: false },
  { text: '- 1\n- 2\n', fast: false },
  { text: 'a:\n\tb: 1\n', fast: false },
  { text: 'a:\n    b: 1\n  c: 2\n', fast: false },
  { text: '1: x\n', fast: false },
  { text: 'big: 123456789012345678901\n', fast: false },
];

describe('simple YAML fast path for params files', () => {
  for (const [i, c] of cases.entries()) {
    it(`case ${i}: ${c.fast ? 'reads' : 'hands over'} ${JSON.stringify(c.text.slice(0, 30))}`, () => {
      const ours = parseSimpleYaml(c.text);
      assert.equal(ours !== undefined, c.fast, `fast path ${ours === undefined ? 'declined' : 'answered'}`);
      if (ours !== undefined) assert.deepEqual(ours, parse(c.text));
    });
  }

  it('agrees with the yaml package on generated params files', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const atoms = ['0.1', '-3', '1e-4', 'sgd', 'true', 'null', "'q'", '"d"', '[1, 2]', '', '2.', 'a b c', 'x:y', 'v#1', '~', '.5'];
    let answered = 0;
    for (let n = 0; n < 300; n++) {
      const lines: string[] = [];
      const walk = (depth: number, indent: string) => {
        const keys = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < keys; k++) {
          const r = rnd();
          if (r < 0.25 && depth < 3) {
            lines.push(`${indent}k${depth}_${k}:`);
            walk(depth + 1, `${indent}  `);
          } else if (r < 0.35) {
            lines.push(`${indent}l${k}:`);
            for (let j = 0; j < 1 + Math.floor(rnd() * 3); j++) lines.push(`${indent}${rnd() < 0.5 ? '' : '  '}- ${atoms[Math.floor(rnd() * atoms.length)] || '1'}`);
          } else lines.push(`${indent}v${k}: ${atoms[Math.floor(rnd() * atoms.length)]}${rnd() < 0.2 ? '  # c' : ''}`);
        }
      };
      walk(0, '');
      const text = lines.join('\n') + '\n';
      let expected: unknown;
      try {
        expected = parse(text);
      } catch {
        continue;
      }
      const ours = parseSimpleYaml(text);
      if (ours === undefined) continue;
      answered++;
      assert.deepEqual(ours, expected, text);
    }
    assert.ok(answered > 100, `fast path answered only ${answered} of 300`);
  });
});
