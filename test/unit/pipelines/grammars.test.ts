import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

// The injection grammars are regexes in JSON: compile them the way the tokenizer meets
// them (leftmost match wins, earlier pattern on a tie) and check real lines.
const root = path.resolve(__dirname, '../../..');
interface Rule {
  name?: string;
  match?: string;
  include?: string;
  captures?: Record<string, { name: string }>;
}
interface Grammar {
  scopeName: string;
  injectionSelector: string;
  patterns: Rule[];
  repository?: Record<string, Rule>;
}

const load = (file: string) => JSON.parse(readFileSync(path.join(root, 'syntaxes', file), 'utf8')) as Grammar;
const rules = (g: Grammar) => g.patterns.map((p) => (p.include ? g.repository![p.include.slice(1)] : p));

/** Every token the grammar's rules make on a line: [scope of capture or rule, text]. */
function tokens(g: Grammar, line: string): [string, string][] {
  const compiled = rules(g).map((r) => ({ r, re: new RegExp(r.match!, 'g') }));
  const out: [string, string][] = [];
  for (let at = 0; at < line.length; ) {
    let best: { r: Rule; m: RegExpExecArray } | undefined;
    for (const { r, re } of compiled) {
      re.lastIndex = at;
      const m = re.exec(line);
      if (m && (!best || m.index < best.m.index)) best = { r, m };
    }
    if (!best) break;
    if (best.r.captures) for (const [i, c] of Object.entries(best.r.captures)) out.push([c.name, best.m[Number(i)]]);
    else out.push([best.r.name!, best.m[0]]);
    at = best.m.index + Math.max(1, best.m[0].length);
  }
  return out;
}
const variables = (g: Grammar, line: string) => tokens(g, line).filter(([scope]) => scope.startsWith('variable.')).map(([, text]) => text);

describe('injection grammars', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { grammars: { scopeName: string; path: string; injectTo?: string[] }[] } };

  it('are contributed with injectTo and point at grammars with their scope names', () => {
    const injections = pkg.contributes.grammars.filter((g) => g.injectTo);
    assert.deepEqual(injections.map((g) => [g.scopeName, g.injectTo]).sort(), [
      ['mlops.dvc-interpolation.injection', ['source.yaml']],
      ['mlops.mlproject-params.injection', ['source.mlproject']],
    ]);
    for (const g of injections) {
      assert.ok(existsSync(path.join(root, g.path)), g.path);
      assert.equal(JSON.parse(readFileSync(path.join(root, g.path), 'utf8')).scopeName, g.scopeName);
    }
  });

  describe('${...} in dvc.yaml', () => {
    const g = load('dvcInterpolation.injection.tmLanguage.json');
    it('injects into YAML outside comments', () => assert.equal(g.injectionSelector, 'L:source.yaml -comment'));
    it('marks plain, dotted, indexed and foreach references', () => {
      assert.deepEqual(variables(g, '    cmd: python train.py --lr ${train.lr} --seed ${ seed }'), ['train.lr', 'seed']);
      assert.deepEqual(variables(g, '      - data/${item}/part-${a[0].b}.csv'), ['item', 'a[0].b']);
      assert.deepEqual(variables(g, "  ${key}: '${item.size}'"), ['key', 'item.size']);
    });
    it('marks the braces as punctuation', () => {
      assert.deepEqual(tokens(g, 'x: ${a}'), [
        ['punctuation.definition.template-expression.begin.dvc', '${'],
        ['variable.other.readwrite.dvc', 'a'],
        ['punctuation.definition.template-expression.end.dvc', '}'],
      ]);
    });
    it('leaves escaped, GitHub Actions and brace-less text alone', () => {
      assert.deepEqual(variables(g, String.raw`    cmd: echo \${not_a_var}`), []);
      assert.deepEqual(tokens(g, String.raw`echo \${x}`)[0], ['constant.character.escape.dvc', '\\${']);
      assert.deepEqual(variables(g, '        run: echo ${{ github.sha }}'), []);
      assert.deepEqual(variables(g, '    cmd: echo $HOME {item} $(date)'), []);
      assert.deepEqual(variables(g, '    cmd: echo ${unclosed'), []);
    });
  });

  describe('{param} in MLproject commands', () => {
    const g = load('mlprojectParams.injection.tmLanguage.json');
    it('injects into MLproject outside comments', () => assert.equal(g.injectionSelector, 'L:source.mlproject -comment'));
    it('marks parameter references', () => {
      assert.deepEqual(variables(g, '    command: "python train.py --alpha {alpha} --l1 { l1_ratio }"'), ['alpha', 'l1_ratio']);
      assert.deepEqual(variables(g, '    command: python etl.py {data-path}'), ['data-path']);
    });
    it('leaves literal braces, flow maps and format specs alone', () => {
      assert.deepEqual(variables(g, '    command: "echo {{literal}}"'), []);
      assert.deepEqual(variables(g, '      alpha: {type: float, default: 0.1}'), []);
      assert.deepEqual(variables(g, '      x: {}'), []);
      assert.deepEqual(variables(g, '    command: "echo {0}"'), []);
    });
  });
});
