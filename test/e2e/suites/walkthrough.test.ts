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
  steps: { id: string; title: string; media: { markdown: string } }[];
}

/** Resolves with the exit code of the next `dvc` rerun task to end. */
function nextDvcTaskEnd(): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error('no dvc rerun task ended within 90 s'));
    }, 90000);
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.type !== 'mlops-dvc') return;
      sub.dispose();
      clearTimeout(timer);
      resolve(e.exitCode);
    });
  });
}

describe('the Getting Started walkthrough', function () {
  this.timeout(150000);
  const askRunner = runnerAsker('walkthrough');
  let walkthrough: Walkthrough;
  let text: (s: string) => string;
  let media: string[];

  before(async () => {
    const ext = vscode.extensions.getExtension('mlops.mlops-workbench')!;
    const pkg = ext.packageJSON as { publisher: string; name: string; contributes: { walkthroughs: Walkthrough[] } };
    [walkthrough] = pkg.contributes.walkthroughs;
    assert.ok(walkthrough, 'package.json contributes no walkthrough');
    // The manifest holds %keys%; the workbench shows them from package.nls.json.
    const nls = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.nls.json'), 'utf8')) as Record<string, string>;
    text = (s) => (s.startsWith('%') && s.endsWith('%') ? nls[s.slice(1, -1)] : s);
    // Each step's media starts with a heading; whichever step is selected, its own shows.
    media = walkthrough.steps.map((s) => fs.readFileSync(path.join(ext.extensionPath, s.media.markdown), 'utf8').split('\n')[0].replace(/^#+\s*/, ''));
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${pkg.publisher}.${pkg.name}#${walkthrough.id}`, false);
  });

  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('opens with its title, every step and the selected step shown', async function () {
    const steps = walkthrough.steps.map((s) => text(s.title));
    const asked = await askRunner("the walkthrough shows its title, every step and the selected step's media", 'shown', { category: text(walkthrough.title), steps, media });
    if (!asked) this.skip(); // no browser: desktop VS Code
  });

  it('ticks "See your training runs" and "Run a pipeline stage" on their real events', async function () {
    // The sandbox where the example pipeline ran (and mlops.dvc.path, set by the runner).
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1') return this.skip();
    const title = (id: string) => text(walkthrough.steps.find((s) => s.id === id)!.title);
    // onView:mlops.runs fires when the view becomes visible: from another container, back to it.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await vscode.commands.executeCommand('mlops.runs.focus');
    // onCommand:mlops.runStage: the workbench sees only commands run through it (a click),
    // not one this extension host runs itself; so the runner clicks the stage's Run Stage
    // action, and a real `dvc repro -s prepare` runs (up to date in the sandbox).
    const ended = nextDvcTaskEnd();
    if (!(await askRunner('Run Stage clicked on the prepare stage in the Pipelines view', 'runStageInView', { stage: 'prepare' }))) return this.skip();
    assert.equal(await ended, 0);
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    const asked = await askRunner('the steps whose events happened are ticked (screenshot)', 'completed', { done: [title('openRuns'), title('runStage')], media });
    if (!asked) this.skip();
  });
});
