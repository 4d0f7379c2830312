import { strict as assert } from 'node:assert';
import { parseUntrusted } from '../../../src/core/common/yamlData';
import { containerAsInput, MAX_CONTAINER_TEXT, parseContainerValue } from '../../../src/core/runs/dvc/paramContainer';

// DVC (Hydra) reads these back as the typed YAML in test/integration/runs/dvcExpLifecycle.test.ts.
describe('paramContainer: a list or map param typed as YAML, in Hydra’s grammar', () => {
  const hydra = (text: string) => {
    const r = parseContainerValue(text);
    assert.ok(r.ok, JSON.stringify(r));
    return r.value.whole;
  };
  const problem = (text: string) => {
    const r = parseContainerValue(text);
    assert.ok(!r.ok, `${text} was taken: ${JSON.stringify(r)}`);
    return r;
  };

  it('writes lists and maps without blanks; strings bare only when Hydra reads them back as the same string', () => {
    assert.equal(hydra('[128, 64, 32]'), '[128,64,32]');
    assert.equal(hydra('{name: sgd, betas: [0.5, 0.6]}'), '{name:sgd,betas:[0.5,0.6]}');
    assert.equal(hydra(`['x,y', z w, it's, "true", '1.5', null, ~, True]`), String.raw`['x,y','z w','it\'s','true','1.5',null,null,true]`);
    assert.equal(hydra('{"json": {"n": [1, 2.5]}}'), '{json:{n:[1,2.5]}}');
    assert.equal(hydra('x: 1\ny: [2]'), '{x:1,y:[2]}', 'block style as well');
    assert.equal(hydra('[]'), '[]');
    assert.equal(hydra('{}'), '{}');
    assert.equal(hydra('sgd'), 'sgd', 'a scalar replaces the container');
  });

  it('keeps floats written with a point, and writes inf and nan as Hydra does', () => {
    assert.equal(hydra('[1.0, 2, 1e-3, 1.5e+30, .inf, -.inf, .nan]'), '[1.0,2,0.001,1.5e+30,inf,-inf,nan]');
  });

  it('escapes the map key characters Hydra escapes, and refuses keys it cannot write', () => {
    assert.equal(hydra('{a b: 1, "c:d,e=f": 2, "(p)": 3, $s: 4, x-y.z: 5}'), String.raw`{a\ b:1,c\:d\,e\=f:2,\(p\):3,$s:4,x-y.z:5}`);
    assert.match(problem('{1: a}').error, /number, true\/false or null/);
    assert.match(problem('{true: a}').error, /number, true\/false or null/);
    assert.match(problem('{"a#b": 1}').error, /holds "#"/);
    assert.match(problem('{[a]: 1}').error, /plain word/);
  });

  it('says where the text is wrong, and refuses what -S cannot carry', () => {
    assert.deepEqual(problem('{a: 1'), { ok: false, error: 'Flow map must end with a } at line 1, column 6', column: 5 });
    assert.equal(problem('').column, 0);
    assert.match(problem('[&a 1, *a]').error, /anchors and aliases/);
    assert.match(problem('["${x}"]').error, /interpolation/);
    assert.match(problem('["a\\nb"]').error, /control characters/);
    assert.match(problem('[!!binary aGk=]').error, /type -S cannot pass/);
    assert.match(problem('{a: 1, a: 2}').error, /unique/i);
    assert.equal(problem('x'.repeat(MAX_CONTAINER_TEXT + 1)).column, MAX_CONTAINER_TEXT);
    // Nested past the cap: refused, no stack overflow.
    assert.match(problem('['.repeat(150) + ']'.repeat(150)).error, /deeper than/);
  });

  it('shows the current value as one line of YAML, from the file’s own node where it can', () => {
    const doc = parseUntrusted('train:\n  opt:\n    betas: [0.9, 1.0]\n    name: "a: b"\n');
    assert.equal(containerAsInput(undefined, doc, ['train', 'opt']), '{ betas: [ 0.9, 1.0 ], name: "a: b" }');
    assert.equal(containerAsInput([1, 'x y'], doc, ['missing']), '[ 1, x y ]');
    assert.equal(containerAsInput({}), '{}');
    // What it shows parses back to the same value.
    assert.equal(hydra(containerAsInput(undefined, doc, ['train', 'opt'])), "{betas:[0.9,1.0],name:'a: b'}");
  });
});
