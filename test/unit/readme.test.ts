import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalizedManifest } from '../support/manifest.cjs';

// The README is where users look for what a command is called and what a setting defaults
// to; it drifts whenever a contribution is added. These compare it with package.json (as
// VS Code shows it, %keys% resolved).
//
// Commands hidden from the palette (`menus.commandPalette` with `when: false`) act on the
// tree item they are invoked on, so they are not dropped: the README lists them on their
// own line, "Only in a view's context menu", and the test holds that line to exactly those
// commands, so the README never promises a palette entry that is not there.
const root = join(__dirname, '..', '..');
const pkg = readLocalizedManifest(root);
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The text of `## title` up to the next `## ` heading. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Every `*Title*` in a piece of the Commands section. */
const titlesIn = (text: string) => [...text.matchAll(/(?<![*\w])\*([^*\n]+)\*(?![*\w])/g)].map((m) => m[1]).sort();

const sortedUnique = (xs: string[]) => [...new Set(xs)].sort();

describe('README agrees with package.json', () => {
  const commands: { command: string; title: string; category?: string }[] = pkg.contributes.commands;
  const hidden = new Set<string>(
    (pkg.contributes.menus?.commandPalette ?? []).filter((m: { when?: string }) => m.when === 'false').map((m: { command: string }) => m.command),
  );

  it('contributes every command under the MLOps category', () => {
    assert.deepEqual(commands.filter((c) => c.category !== 'MLOps').map((c) => c.command), []);
  });

  it('lists every palette command in Commands, and only those', () => {
    const [palette] = section('Commands').split(/^Only in a view's context menu/m);
    const expected = sortedUnique(commands.filter((c) => !hidden.has(c.command)).map((c) => c.title));
    const listed = titlesIn(palette);
    assert.deepEqual(listed, sortedUnique(listed), 'a command is listed twice');
    assert.deepEqual(listed, expected);
  });

  it("lists the commands hidden from the palette under \"Only in a view's context menu\"", () => {
    const parts = section('Commands').split(/^Only in a view's context menu/m);
    assert.equal(parts.length, 2, `the Commands section has no "Only in a view's context menu" paragraph`);
    const expected = sortedUnique(commands.filter((c) => hidden.has(c.command)).map((c) => c.title));
    assert.deepEqual(titlesIn(parts[1]), expected);
  });

  it('has a Settings row for every setting, with its default', () => {
    const props: Record<string, { default?: unknown }> = pkg.contributes.configuration.properties;
    const rows = new Map<string, string>();
    for (const line of section('Settings').split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      // | `mlops.a.b` / `.c` / `.d` | `default` | description |: `.c` replaces the last part.
      if (cells.length < 4 || !cells[1].startsWith('`mlops.')) continue;
      const names = [...cells[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      const first = names[0];
      const base = first.slice(0, first.lastIndexOf('.'));
      const dflt = /^`(.*)`$/.exec(cells[2])?.[1];
      assert.ok(dflt !== undefined, `${first}: the default is not in backticks: ${cells[2]}`);
      for (const n of names) {
        const name = n.startsWith('.') ? base + n : n;
        assert.ok(!rows.has(name), `${name} has two rows`);
        rows.set(name, dflt);
      }
    }
    assert.deepEqual([...rows.keys()].sort(), Object.keys(props).sort(), 'the Settings table and package.json name different settings');
    for (const [name, dflt] of rows) assert.equal(dflt, JSON.stringify(props[name].default), `${name}: README default`);
  });
});
