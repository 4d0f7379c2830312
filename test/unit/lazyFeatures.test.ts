// A feature that loads on first use is registered at activation by stand-ins under the ids
// in src/extension/lazy/lazyFeatureIds.ts: a command missing there would be "not found"
// until something else loaded the feature, one listed but never registered would loop, and
// one that code loaded at activation registers as well would clash with its stand-in.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LAZY_FEATURES } from '../../src/extension/lazy/lazyFeatureIds';

const root = join(__dirname, '..', '..');
const extensionDir = join(root, 'src', 'extension');
const COMMAND = /registerCommand\(\s*'([^']+)'/g;
const VIEW = /createTreeView(?:<[^>]*>)?\(\s*'([^']+)'/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** The files of a feature's sources (folders and files under src/extension/). */
function filesOf(sources: readonly string[]): string[] {
  return sources.flatMap((s) => {
    const p = join(extensionDir, s);
    return statSync(p).isDirectory() ? tsFiles(p) : [p];
  });
}

// Ids may be named by constants: of the files themselves, or of src/protocol (the code lenses' commands).
const constants = new Map<string, string>();
for (const f of [...tsFiles(extensionDir), ...tsFiles(join(root, 'src', 'protocol'))]) {
  for (const m of readFileSync(f, 'utf8').matchAll(/\b([A-Z][A-Z0-9_]*) = '([^']+)'/g)) constants.set(m[1], m[2]);
}

/** The ids the files register: a literal, or a constant (`X = 'id'`). */
function registered(files: readonly string[], pattern: RegExp): string[] {
  const byName = new RegExp(pattern.source.replace("'([^']+)'", '([A-Z][A-Z0-9_]*)\\b'), 'g');
  const ids = new Set<string>();
  for (const t of files.map((f) => readFileSync(f, 'utf8'))) {
    for (const m of t.matchAll(pattern)) ids.add(m[1]);
    for (const m of t.matchAll(byName)) ids.add(constants.get(m[1]) ?? `unresolved ${m[1]}`);
  }
  return [...ids].sort();
}

describe('features loaded on first use', () => {
  for (const feature of LAZY_FEATURES) {
    const files = filesOf(feature.sources);
    it(`lists every command and view that ${feature.sources.join(', ')} register`, () => {
      assert.deepEqual([...feature.commands].sort(), registered(files, COMMAND));
      assert.deepEqual([...feature.views].sort(), registered(files, VIEW));
    });

    it(`leaves the ids of ${feature.sources.join(', ')} to their stand-ins: no other source registers them`, () => {
      const own = new Set(files);
      const others = tsFiles(extensionDir).filter((f) => !own.has(f));
      const ids = new Set([...feature.commands, ...feature.views]);
      for (const f of others) {
        const clash = [...registered([f], COMMAND), ...registered([f], VIEW)].filter((id) => ids.has(id));
        assert.deepEqual(clash, [], `${relative(root, f)} registers ${clash.join(', ')}`);
      }
    });
  }

  it('lists only commands that package.json contributes (menus and the palette reach the stand-ins through them)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const feature of LAZY_FEATURES) for (const id of feature.commands) assert.ok(contributed.has(id), `${id} is not contributed in package.json`);
  });
});
