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
