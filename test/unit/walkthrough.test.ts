import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalizedManifest } from '../support/manifest.cjs';

// The walkthrough is package.json data that VS Code interprets; these are the ways it
// breaks silently: a step that points at a command we do not contribute, a media file that
// is not there (or not shipped), or a completion event that can never fire.
const root = join(__dirname, '..', '..');
// As VS Code shows it: the step texts live in package.nls.json.
const pkg = readLocalizedManifest(root);
const ours = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
const views = new Set<string>(Object.values(pkg.contributes.views).flat().map((v) => (v as { id: string }).id));
const builtIn = new Set(['workbench.action.files.openFolder']);

describe('Getting started walkthrough', () => {
  const walk = pkg.contributes.walkthroughs?.[0];

  it('has the five steps a new user takes, in order', () => {
    assert.ok(walk, 'contributes.walkthroughs is missing');
    assert.deepEqual(
      walk.steps.map((s: { id: string }) => s.id),
      ['openProject', 'launchWorkspace', 'openRuns', 'compareRuns', 'runStage'],
    );
  });

  it('links only to commands and views that exist, and completes on events that can fire', () => {
    for (const step of walk.steps) {
      for (const [, id] of String(step.description).matchAll(/\(command:([\w.]+)\)/g)) {
        const view = id.replace(/\.focus$/, '');
        assert.ok(ours.has(id) || builtIn.has(id) || views.has(view), `${step.id} links to unknown command ${id}`);
      }
      assert.ok(step.completionEvents?.length, `${step.id} never completes`);
      for (const ev of step.completionEvents as string[]) {
        const [kind, arg] = ev.split(/:(.*)/s);
        if (kind === 'onCommand') assert.ok(ours.has(arg) || builtIn.has(arg), `${step.id}: no command ${arg}`);
        else if (kind === 'onView') assert.ok(views.has(arg), `${step.id}: no view ${arg}`);
        else if (kind === 'onContext') {
          // The context key must be set somewhere in the extension, or the step never completes.
          const key = arg.trim();
          const src = ['src/extension/data/dataTree.ts', 'src/extension/runs/runsViewFeatures.ts']
            .map((f) => readFileSync(join(root, f), 'utf8'))
            .join('\n');
          assert.ok(src.includes(`'${key}'`), `${step.id}: context key ${key} is never set`);
        } else assert.fail(`${step.id}: unexpected completion event ${ev}`);
      }
    }
  });

  it('ships every media file it shows', () => {
    const shipped = readFileSync(join(root, '.vscodeignore'), 'utf8');
    for (const step of walk.steps) {
      const file = step.media.markdown ?? step.media.image;
      assert.ok(existsSync(join(root, file)), `${step.id}: ${file} is missing`);
      assert.ok(file.startsWith('media/') && shipped.includes('!media/**'), `${step.id}: ${file} is not in the .vsix`);
    }
  });
});
