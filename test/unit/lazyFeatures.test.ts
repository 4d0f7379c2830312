// A feature that loads on first use is registered at activation by stand-ins under the ids
// in src/extension/lazy/lazyFeatureIds.ts: a command missing there would be "not found"
// until something else loaded the feature, one listed but never registered would loop.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAZY_FEATURES } from '../../src/extension/lazy/lazyFeatureIds';

const root = join(__dirname, '..', '..');

/** The ids registered in a folder: a literal, or a constant of the folder (`X = 'id'`). */
function registered(folder: string, pattern: RegExp): string[] {
  const dir = join(root, 'src', 'extension', folder);
  const texts = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  const constants = new Map<string, string>();
  for (const t of texts) for (const m of t.matchAll(/\b([A-Z][A-Z0-9_]*) = '([^']+)'/g)) constants.set(m[1], m[2]);
  const ids = new Set<string>();
  const byName = new RegExp(pattern.source.replace("'([^']+)'", '([A-Z][A-Z0-9_]*)\\b'), 'g');
  for (const t of texts) {
    for (const m of t.matchAll(pattern)) ids.add(m[1]);
    for (const m of t.matchAll(byName)) ids.add(constants.get(m[1]) ?? `unresolved ${m[1]}`);
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
