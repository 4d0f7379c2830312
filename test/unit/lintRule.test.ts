import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ESLint } from 'eslint';

// The house rule: pure layers never import `vscode`. Lint real files' paths with the
// project's own config so the test fails if the rule is dropped or narrowed.
describe('lint: no vscode outside src/extension', function () {
  this.timeout(60000);
  const root = path.resolve(__dirname, '../..');
  const eslint = new ESLint({ cwd: root });
  const source = "import * as vscode from 'vscode';\nexport const v = vscode;\n";
  const typeOnly = "import type * as vscode from 'vscode';\nexport type V = typeof vscode;\n";

  for (const file of ['src/core/common/probe.ts', 'src/server/probe.ts', 'src/protocol/probe.ts', 'webviews/probe/main.ts']) {
    it(`rejects importing vscode in ${file}`, async () => {
      for (const text of [source, typeOnly]) {
        const [result] = await eslint.lintText(text, { filePath: path.join(root, file) });
        const hits = result.messages.filter((m) => /restricted-imports/.test(m.ruleId ?? ''));
        assert.equal(hits.length, 1, JSON.stringify(result.messages));
      }
    });
  }

  it('allows it in src/extension', async () => {
    const [result] = await eslint.lintText(source, { filePath: path.join(root, 'src/extension/probe.ts') });
    assert.deepEqual(result.messages, []);
  });

  it('keeps webviews off src/core', async () => {
    const text = "import { errorMessage } from '../../src/core/common/errors';\nexport const e = errorMessage;\n";
    const [result] = await eslint.lintText(text, { filePath: path.join(root, 'webviews/probe/main.ts') });
    assert.ok(result.messages.some((m) => /restricted-imports/.test(m.ruleId ?? '')), JSON.stringify(result.messages));
  });
});

// src/protocol is bundled into every webview: from src/core it may take types only, or
// core code (and whatever core imports) ends up in the browser bundles.
describe('lint: src/protocol imports only types from src/core', function () {
  this.timeout(60000);
  const root = path.resolve(__dirname, '../..');
  const eslint = new ESLint({ cwd: root });
  const lint = async (text: string) => {
    const [result] = await eslint.lintText(text, { filePath: path.join(root, 'src/protocol/probe.ts') });
    return result.messages;
  };
  const restricted = (messages: { ruleId: string | null }[]) => messages.filter((m) => /restricted-imports/.test(m.ruleId ?? ''));

  it('rejects a value import or re-export from core', async () => {
    for (const text of [
      "import { downsample } from '../core/runs/downsample';\nexport const d = downsample;\n",
      "import { type MetricPoint, downsample } from '../core/runs/downsample';\nexport const d: (p: MetricPoint[]) => unknown = (p) => downsample(p, 1);\n",
      "export { downsample } from '../core/runs/downsample';\n",
      "import '../core/runs/downsample';\n",
    ]) {
      assert.equal(restricted(await lint(text)).length, 1, text);
    }
  });

  it('allows type imports from core and imports within protocol', async () => {
    for (const text of [
      "import type { MetricPoint } from '../core/runs/types';\nexport type P = MetricPoint;\n",
      "import { type MetricPoint } from '../core/runs/types';\nexport type P = MetricPoint;\n",
      "export type { MetricPoint } from '../core/runs/types';\n",
      "import { toColumns } from './panels';\nexport const c = toColumns;\n",
    ]) {
      assert.deepEqual(await lint(text), [], text);
    }
  });

  it('rejects imports from src/extension and src/server', async () => {
    for (const text of ["import { a } from '../extension/settings';\nexport const b = a;\n", "import type { A } from '../server/lspMapping';\nexport type B = A;\n"]) {
      assert.equal(restricted(await lint(text)).length, 1, text);
    }
  });

  it('holds for the protocol files as they are', async () => {
    const results = await eslint.lintFiles(['src/protocol/**/*.ts']);
    assert.deepEqual(results.flatMap((r) => r.messages.map((m) => `${path.relative(root, r.filePath)}: ${m.message}`)), []);
  });
});

// The .mjs/.cjs scripts are linted too, against Node's globals; the E2E driver and the
// chart benchmark also pass functions to the browser page, so they may name `document`.
describe('lint: the JavaScript scripts', function () {
  this.timeout(60000);
  const root = path.resolve(__dirname, '../..');
  const eslint = new ESLint({ cwd: root });
  const undefinedNames = async (file: string, text: string) => {
    const [result] = await eslint.lintText(text, { filePath: path.join(root, file) });
    return result.messages.filter((m) => m.ruleId === 'no-undef').map((m) => m.message);
  };
  const text = 'export const a = [process.pid, Buffer.alloc(1), structuredClone(1), document.title, notDefinedAnywhere];\n';

  it('flags names that are not Node globals', async () => {
    for (const file of ['scripts/probe.mjs', 'bench/probe.bench.mjs', 'esbuild.mjs']) {
      assert.deepEqual(await undefinedNames(file, text), ["'document' is not defined.", "'notDefinedAnywhere' is not defined."], file);
    }
  });

  it('knows the browser page globals in the E2E driver and CommonJS globals in .cjs', async () => {
    assert.deepEqual(await undefinedNames('test/e2e/probe.mjs', text), ["'notDefinedAnywhere' is not defined."]);
    assert.deepEqual(await undefinedNames('test/support/probe.cjs', "module.exports = require('node:path').join(__dirname, 'x');\n"), []);
  });
});
