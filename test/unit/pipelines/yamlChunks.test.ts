import { strict as assert } from 'node:assert';
import { isCollection, isPair, parseDocument, type Document, type Node } from 'yaml';
import { parseChunked, PARSE_OPTIONS } from '../../../src/core/pipelines/yamlChunks';

// The chunked parse must give exactly the Document a whole parse gives: same data, same
// node ranges in the same order, edit after edit (reused stages shifted correctly).
function shape(doc: Document.Parsed): string {
  const out: unknown[] = [];
  const walk = (n: unknown): void => {
    if (isPair(n)) {
      out.push('pair');
      walk(n.key);
      walk(n.value);
      return;
    }
    const node = n as Node | null;
    if (!node || typeof node !== 'object') return void out.push(node);
    out.push(node.constructor.name, node.range);
    if (isCollection(node)) node.items.forEach(walk);
  };
  walk(doc.contents);
  return JSON.stringify([doc.toJS(), out]);
}

function bigDvcYaml(n: number, tail = ''): string {
  const lines = ['# generated', 'vars:', '  - base: data', 'stages:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  stage_${i}:`, `    desc: Stage number ${i}`, `    cmd: python src/s${i}.py "quoted ${i}"`, '    deps:', `      - src/s${i}.py`, '    outs:', `      - out/${i}.csv:`, '          cache: false', '', '# between stages');
  }
  return lines.join('\n') + '\n' + tail;
}

describe('parseChunked (incremental parse of large dvc.yaml files)', () => {
  for (const tail of ['plots:\n  - out/0.csv\n', '', '# a last comment\n']) it(`equals a whole parse through edits that move later stages (after the stages: ${JSON.stringify(tail)})`, () => {
    let text = bigDvcYaml(600, tail);
    const first = parseChunked(text);
    assert.ok(first, 'a large dvc.yaml takes the chunked path');
    assert.equal(shape(first), shape(parseDocument(text, PARSE_OPTIONS)));
    const edits: [string, string][] = [
      ['Stage number 300', 'Stage number 300 and more text'],
      ['Stage number 10\n', 'S\n'],
      ['src/s5.py\n', 'src/s5.py\n      - extra/dep.csv\n'],
      ['  stage_42:\n', '  renamed_42:\n'],
    ];
    for (const [from, to] of edits) {
      text = text.replace(from, to);
      const doc = parseChunked(text);
      assert.ok(doc, `chunked after ${from}`);
      assert.equal(shape(doc), shape(parseDocument(text, PARSE_OPTIONS)), `after ${JSON.stringify(from)}`);
    }
    // The first result was not disturbed by the later, shifted reuse of its stages.
    assert.equal(shape(first), shape(parseDocument(bigDvcYaml(600, tail), PARSE_OPTIONS)));
  });

  it('falls back to the whole parse for errors, anchors, flow style and small files', () => {
    const big = bigDvcYaml(600);
    assert.equal(parseChunked(big.replace('    cmd: python src/s7.py', '   cmd: python src/s7.py')), undefined, 'bad indentation');
    assert.equal(parseChunked(big.replace('desc: Stage number 3\n', 'desc: &a Stage number 3\n')), undefined, 'an anchor');
    assert.equal(parseChunked(big.replace('stages:\n', 'stages: {}\nx:\n')), undefined, 'not a block stages map');
    // A quoted scalar folded onto a line at the stages' indentation: whichever path, the same Document.
    const folded = big.replace('desc: Stage number 9\n', 'desc: "Stage\n  number 9"\n');
    const doc = parseChunked(folded);
    if (doc) assert.equal(shape(doc), shape(parseDocument(folded, PARSE_OPTIONS)));
    assert.equal(parseChunked(bigDvcYaml(3)), undefined, 'small file');
    assert.equal(parseChunked(big.replace('  stage_9:\n', '  stage_9: [\n')), undefined, 'an unclosed flow sequence');
  });
});
