import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NLS_REF, nlsReferences, readManifestFiles } from '../support/manifest.cjs';

// package.json's user-visible texts are "%key%" references into package.nls.json (VS Code's
// manifest localization; a package.nls.<lang>.json translates them). A key that does not
// resolve shows as the raw "%key%" in the palette or the settings editor, and nothing
// else catches it, so this does.
const root = join(__dirname, '..', '..');
const { pkg, nls } = readManifestFiles(root);

/** The user-visible texts of the contribution points, with where each stands. */
function visibleTexts(): { path: string; text: unknown }[] {
  const c = pkg.contributes;
  const out: { path: string; text: unknown }[] = [];
  c.commands.forEach((x: { command: string; title: string }) => out.push({ path: `command ${x.command} title`, text: x.title }));
  for (const list of Object.values(c.views) as { id: string; name: string }[][]) for (const v of list) out.push({ path: `view ${v.id} name`, text: v.name });
  c.viewsWelcome.forEach((w: { view: string; contents: string }, i: number) => out.push({ path: `viewsWelcome[${i}] (${w.view})`, text: w.contents }));
  for (const w of c.walkthroughs) {
    out.push({ path: `walkthrough ${w.id} title`, text: w.title }, { path: `walkthrough ${w.id} description`, text: w.description });
    for (const s of w.steps) out.push({ path: `walkthrough step ${s.id} title`, text: s.title }, { path: `walkthrough step ${s.id} description`, text: s.description });
  }
  const settings = (prefix: string, props: Record<string, Record<string, unknown>>) => {
    for (const [name, p] of Object.entries(props)) {
      for (const k of ['description', 'markdownDescription', 'patternErrorMessage'] as const) if (k in p) out.push({ path: `${prefix}${name} ${k}`, text: p[k] });
      ((p.enumDescriptions as unknown[]) ?? []).forEach((d, i) => out.push({ path: `${prefix}${name} enumDescriptions[${i}]`, text: d }));
      const items = p.items as { properties?: Record<string, Record<string, unknown>> } | undefined;
      if (items?.properties) settings(`${prefix}${name}.`, items.properties);
    }
  };
  settings('setting ', pkg.contributes.configuration.properties);
  return out;
}

describe('package.nls.json: the manifest texts', () => {
  const refs = nlsReferences(pkg);

  it('resolves every %key% in package.json to a text', () => {
    const missing = refs.filter((r) => typeof nls[r.key] !== 'string' || !(nls[r.key] as string).trim());
    assert.deepEqual(missing, []);
  });

  it('holds no key that package.json does not use', () => {
    const used = new Set(refs.map((r) => r.key));
    assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), []);
  });

  it('keeps every user-visible contribution text in package.nls.json (a %key%, not a literal)', () => {
    const literal = visibleTexts().filter((t) => typeof t.text !== 'string' || !NLS_REF.test(t.text));
    assert.deepEqual(literal.map((t) => `${t.path}: ${JSON.stringify(t.text)}`), []);
  });

  it('is shipped in the .vsix next to package.json', () => {
    assert.match(readFileSync(join(root, '.vscodeignore'), 'utf8'), /^!package\.nls\.json$/m);
  });
});
