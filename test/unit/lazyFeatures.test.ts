// A feature that loads on first use is registered at activation by stand-ins under the ids
// in src/extension/lazy/lazyFeatureIds.ts: a command missing there would be "not found"
// until something else loaded the feature, one listed but never registered would loop.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAZY_FEATURES } from '../../src/extension/lazy/lazyFeatureIds';

const root = join(__dirname, '..', '..');

function registered(folder: string, pattern: RegExp): string[] {
  const dir = join(root, 'src', 'extension', folder);
  const ids = new Set<string>();
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(pattern)) ids.add(m[1]);
  }
  return [...ids].sort();
}

describe('features loaded on first use', () => {
  for (const feature of LAZY_FEATURES) {
    it(`lists every command and view that src/extension/${feature.folder} registers`, () => {
      assert.deepEqual([...feature.commands].sort(), registered(feature.folder, /registerCommand\(\s*'([^']+)'/g));
      assert.deepEqual([...feature.views].sort(), registered(feature.folder, /createTreeView(?:<[^>]*>)?\(\s*'([^']+)'/g));
    });
  }

  it('lists only commands that package.json contributes (menus and the palette reach the stand-ins through them)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const feature of LAZY_FEATURES) for (const id of feature.commands) assert.ok(contributed.has(id), `${id} is not contributed in package.json`);
  });
});
