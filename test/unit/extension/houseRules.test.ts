import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ESLint } from 'eslint';

// One way to do each thing, enforced by lint (eslint.config.mjs `oneWayRules`): each probe
// is linted with the project's real config as a feature module (must fail) and as the
// owner file (must pass), and the tree as it is must hold to all three.
const root = path.resolve(__dirname, '../../..');
const RULES = [
  { owner: 'src/extension/settings.ts', code: "export const v = vscode.workspace.getConfiguration('mlops').get('x');" },
  { owner: 'src/extension/notify.ts', code: "export const v = vscode.window.showErrorMessage('MLOps: x');" },
  { owner: 'src/extension/notify.ts', code: "export const v = vscode.window.showInformationMessage('x');" },
  { owner: 'src/extension/commandWrapper.ts', code: "export const v = vscode.commands.registerCommand('mlops.x', () => 1);" },
];

describe('house rules: settings, messages and commands each have one way', function () {
  this.timeout(90000);
  const eslint = new ESLint({ cwd: root });
  const restricted = async (code: string, file: string) => {
    const [r] = await eslint.lintText(`import * as vscode from 'vscode';\n${code}\n`, { filePath: path.join(root, file) });
    return r.messages.filter((m) => m.ruleId === 'no-restricted-syntax');
  };

  for (const { owner, code } of RULES) {
    it(`refuses \`${code.slice(16, 60)}…\` in a feature module, allows it in ${path.basename(owner)}`, async () => {
      assert.equal((await restricted(code, 'src/extension/runs/probe.ts')).length, 1);
      assert.deepEqual(await restricted(code, owner), []);
    });
  }

  it('no message types its own "MLOps:" prefix (notify adds it)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const files = readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const typed = files.filter((f) => /show(Error|Warning|Info)\(\s*['"`]MLOps:/.test(readFileSync(path.join(root, 'src', f), 'utf8')));
    assert.ok(files.length > 50);
    assert.deepEqual(typed, []);
  });

  it('the tree as it is holds to all three', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const hits = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.message}`));
    assert.deepEqual(hits, []);
  });
});
