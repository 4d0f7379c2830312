import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runnerAsker } from '../askRunner';

// The Getting Started walkthrough as a user opens it (Help: Welcome, or the command with
// its id): the runner (test/e2e/walkthroughChecks.mjs) checks that its title, every step
// and the selected step's markdown are on screen, and takes test-results/e2e-walkthrough.png.

interface Walkthrough {
  id: string;
  title: string;
  steps: { title: string; media: { markdown: string } }[];
}

describe('the Getting Started walkthrough', function () {
  this.timeout(120000);

  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('opens with its title, every step and the selected step shown', async function () {
    const ext = vscode.extensions.getExtension('mlops.mlops-workbench')!;
    const pkg = ext.packageJSON as { publisher: string; name: string; contributes: { walkthroughs: Walkthrough[] } };
    const [walkthrough] = pkg.contributes.walkthroughs;
    assert.ok(walkthrough, 'package.json contributes no walkthrough');
    // The manifest holds %keys%; the workbench shows them from package.nls.json.
    const nls = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const text = (s: string) => (s.startsWith('%') && s.endsWith('%') ? nls[s.slice(1, -1)] : s);
    // Each step's media starts with a heading; whichever step is selected, its own shows.
    const media = walkthrough.steps.map((s) => fs.readFileSync(path.join(ext.extensionPath, s.media.markdown), 'utf8').split('\n')[0].replace(/^#+\s*/, ''));
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${pkg.publisher}.${pkg.name}#${walkthrough.id}`, false);
    const asked = await runnerAsker('walkthrough')("the walkthrough shows its title, every step and the selected step's media", 'screenshot', {
      category: text(walkthrough.title),
      steps: walkthrough.steps.map((s) => text(s.title)),
      media,
    });
    if (!asked) this.skip(); // no browser: desktop VS Code
  });
});
