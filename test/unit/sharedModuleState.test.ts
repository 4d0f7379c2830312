// Each feature loaded on first use (dist/lazy/*Feature.js) is bundled on its own, so a module
// that both it and dist/extension.js import is in each bundle as a separate copy: its
// module-level state is not shared. A `let` that activate() sets and a lazy command reads is
// two variables (the Models bundle looked for mlflow on PATH only because cliTools' interpreter
// was set in the other copy). This builds the bundles as esbuild.mjs does, lists our modules
// that more than one of them holds, and fails on module-level mutable state in those unless
// ALLOWED below says why that state may be per bundle (or the module keeps it on globalThis
// under a Symbol.for key, as commandWrapper and cliTools do).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import ts from 'typescript';

type Options = typeof import('../../scripts/extensionBundle.mjs', { with: { 'resolution-mode': 'import' } });
const options = (): Promise<Options> => import('../../scripts/extensionBundle.mjs');
const root = join(__dirname, '..', '..');

/**
 * Module → its state that may be per bundle, and why. A name listed here that the module no
 * longer has fails the test too, so the list stays true.
 */
const CONSTANT = 'a read-only lookup table filled when the module loads: every copy holds the same';
const ALLOWED: Record<string, Record<string, string>> = {
  'src/core/common/boundedRead.ts': {
    folders: 'a one-second cache of realpath answers: a copy per bundle only resolves a folder once more',
    foldersSync: 'a one-second cache of realpath answers: a copy per bundle only resolves a folder once more',
  },
  'src/core/pipelines/paramsFile.ts': {
    dataOf: 'memo keyed by the parsed document (a WeakMap): another copy never sees that key, it parses its own',
    lookups: 'memo keyed by the file data (a WeakMap): another copy never sees that key',
    lastData: 'the last key of the lookups memo: a fast path of the same memo, per copy',
    lastMemo: 'the last value of the lookups memo: a fast path of the same memo, per copy',
  },
  'src/core/provenance/capture.ts': {
    freezeCache: "pip freeze answers keyed by the venv's stamp: a second copy runs pip freeze once more, never answers differently",
  },
  'src/core/provenance/envAllowList.ts': { ALLOWED: CONSTANT },
  'src/core/runs/search/parseFilter.ts': { RESERVED: CONSTANT, NUMERIC_OPS: CONSTANT, STRING_OPS: CONSTANT },
  'src/extension/runs/runMarkCommands.ts': { MLFLOW_KINDS: CONSTANT },
  'src/extension/settingsTable.ts': { MACHINE_SETTINGS: CONSTANT },
};

/** A top-level binding of mutable state: its name and what makes it mutable. */
interface ModuleState {
  name: string;
  why: string;
}

const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);
const MUTATORS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'set', 'add', 'delete', 'clear']);

/** The name a property chain starts from (`a.b[c].d` → `a`). */
function rootName(e: ts.Expression): string | undefined {
  let x: ts.Expression = e;
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isParenthesizedExpression(x) || ts.isNonNullExpression(x)) x = x.expression;
  return ts.isIdentifier(x) ? x.text : undefined;
}

/** Names of the file whose value is written through a property (`o.k = v`, `o[k] += v`, `delete o.k`, `o.push(v)`). */
function mutatedThroughProperty(file: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  // An explicit stack, not recursion: any file of ours, however deep its nesting.
  const stack: ts.Node[] = [file];
  while (stack.length) {
    const n = stack.pop()!;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      if (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) {
        const r = rootName(n.left);
        if (r) out.add(r);
      }
    } else if (ts.isDeleteExpression(n) || ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken))) {
      const target = ts.isDeleteExpression(n) ? n.expression : n.operand;
      if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
        const r = rootName(target);
        if (r) out.add(r);
      }
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && MUTATORS.has(n.expression.name.text)) {
      const r = rootName(n.expression.expression);
      if (r) out.add(r);
    }
    n.forEachChild((c) => void stack.push(c));
  }
  return out;
}

/**
 * The module-level mutable state of a TypeScript file: `let`/`var` bindings, `const`s holding
 * a new Map/Set/WeakMap/WeakSet, and `const` object or array literals written to anywhere in it.
 */
function moduleState(text: string, fileName = 'module.ts'): ModuleState[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const mutated = mutatedThroughProperty(file);
  const out: ModuleState[] = [];
  for (const st of file.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name)) {
        if (!isConst) out.push({ name: d.name.getText(file), why: 'a module-level let' });
        continue;
      }
      const name = d.name.text;
      let init = d.initializer;
      while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init))) init = init.expression;
      if (!isConst) out.push({ name, why: 'a module-level let' });
      else if (init && ts.isNewExpression(init) && ts.isIdentifier(init.expression) && COLLECTIONS.has(init.expression.text)) out.push({ name, why: `a module-level new ${init.expression.text}` });
      else if (init && (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init)) && mutated.has(name)) out.push({ name, why: 'a module-level object written to' });
    }
  }
  return out;
}

/** The bundles that share modules: dist/extension.js and each dist/lazy/*Feature.js, as esbuild.mjs builds them. */
async function bundledModules(): Promise<Map<string, string[]>> {
  const { extensionBundle, NATIVE_OPTIONAL } = await options();
  const common = { absWorkingDir: root, write: false, metafile: true, logLevel: 'silent' } as const;
  const features = readdirSync(join(root, 'src/extension/lazy')).filter((f) => /Feature\.ts$/.test(f) && f !== 'lazyFeature.ts');
  assert.ok(features.length >= 5, `found only ${features.length} lazy feature entries`);
  const builds = [
    esbuild.build({ ...extensionBundle, ...common, outdir: 'dist' }).then((b) => ['extension.js', b.metafile] as const),
    ...features.map((f) =>
      esbuild
        .build({
          ...common,
          entryPoints: { [f.replace(/\.ts$/, '')]: `src/extension/lazy/${f}` },
          bundle: true,
          platform: 'node',
          target: 'node20',
          format: 'cjs',
          external: ['vscode', ...NATIVE_OPTIONAL],
          outdir: 'dist/lazy',
        })
        .then((b) => [`lazy/${f.replace(/\.ts$/, '.js')}`, b.metafile] as const),
    ),
  ];
  const inBundles = new Map<string, string[]>();
  for (const [bundle, meta] of await Promise.all(builds)) {
    for (const input of Object.keys(meta.inputs)) {
      if (!input.startsWith('src/')) continue;
      inBundles.set(input, [...(inBundles.get(input) ?? []), bundle]);
    }
  }
  return new Map([...inBundles].filter(([, bundles]) => bundles.length > 1));
}

describe('module state in modules bundled more than once', function () {
  this.timeout(180000);

  it('finds let, new Map/Set/WeakMap and written-to object literals at module level, and nothing else', () => {
    const found = moduleState(`
      let a = 1;
      export let b: string | undefined;
      const c = new Map<string, number>();
      const d = new WeakMap();
      const e = { n: 0 };
      const f = [1, 2];
      const g = { fixed: true };
      const h = [3];
      const i = Object.freeze({ k: 1 });
      export const j = 'x';
      var k = 0;
      const l = { deep: { n: 0 } };
      function touch() { e.n++; f.push(3); l.deep.n = 1; const local = new Map(); local.set(1, 1); let m = 0; m++; return g.fixed && h[0] && i.k; }
      class K { static n = 0; }
    `);
    assert.deepEqual(found, [
      { name: 'a', why: 'a module-level let' },
      { name: 'b', why: 'a module-level let' },
      { name: 'c', why: 'a module-level new Map' },
      { name: 'd', why: 'a module-level new WeakMap' },
      { name: 'e', why: 'a module-level object written to' },
      { name: 'f', why: 'a module-level object written to' },
      { name: 'k', why: 'a module-level let' },
      { name: 'l', why: 'a module-level object written to' },
    ]);
  });

  it('holds no per-bundle state the bundles would need to share (else ALLOWED says why it may be per bundle)', async () => {
    const shared = await bundledModules();
    assert.ok(shared.has('src/extension/commandWrapper.ts'), `the bundles share none of the modules expected: ${[...shared.keys()].join(', ')}`);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const [module, bundles] of [...shared].sort(([a], [b]) => a.localeCompare(b))) {
      for (const s of moduleState(readFileSync(join(root, module), 'utf8'), module)) {
        if (ALLOWED[module]?.[s.name]) {
          seen.add(`${module}#${s.name}`);
          continue;
        }
        problems.push(`${module}: ${s.name} is ${s.why}, and the module is in ${bundles.join(', ')}`);
      }
    }
    for (const [module, names] of Object.entries(ALLOWED)) {
      for (const name of Object.keys(names)) {
        if (!seen.has(`${module}#${name}`)) problems.push(`ALLOWED lists ${module}#${name}, which is no longer module state of a module in two bundles: remove it`);
      }
    }
    assert.deepEqual(problems, [], 'keep the state on globalThis under a Symbol.for key (see cliTools.ts), pass it in, or allow it with the reason it may be per bundle');
  });
});
