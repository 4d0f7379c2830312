// Writes l10n/bundle.l10n.json: every message the extension passes to `vscode.l10n.t`, keyed
// by itself (VS Code's format; a bundle.l10n.<lang>.json beside it translates them).
// @vscode/l10n-dev does this with a full TypeScript parse, but it is not a dependency here, and
// our rule is narrower anyway: the first argument is always a plain string literal, so a
// bounded scan of the call finds it. A call whose first argument is anything else is
// reported, not guessed at (test/unit/l10nBundle.test.ts fails on it).
//   node scripts/l10n-export.mjs          write the bundle
//   node scripts/l10n-export.mjs --check  exit 1 if the committed bundle differs
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Only the extension host has `vscode.l10n`; core code that renders text is handed it (src/core/common/l10n.ts). Server and webviews cannot call it. */
export const SOURCE_DIRS = ['src/extension', 'src/core'];
export const BUNDLE = 'l10n/bundle.l10n.json';
/** Longer than any message we write; a literal that runs past it is a scan gone wrong. */
const MAX_LITERAL = 1000;
const CALL = /\bl10n\.t\(/g;
const ANY_USE = /\bl10n\.t\b/g;
/** @type {Record<string, string>} */
const ESCAPES = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };

/**
 * The string literal at `start` of `text`, unescaped, and where it ends; undefined if the
 * text there is not a complete quoted literal (or a template literal with `${`).
 * @param {string} text
 * @param {number} start
 * @returns {{ value: string, end: number } | undefined}
 */
export function readLiteral(text, start) {
  const quote = text[start];
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined;
  let out = '';
  const end = Math.min(text.length, start + 1 + MAX_LITERAL);
  for (let i = start + 1; i < end; i++) {
    const c = text[i];
    if (c === quote) return { value: out, end: i + 1 };
    if (c === '\n' && quote !== '`') return undefined;
    if (quote === '`' && c === '$' && text[i + 1] === '{') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = text[++i];
    if (e === 'u') {
      const m = /^\{([0-9a-fA-F]{1,6})\}|^([0-9a-fA-F]{4})/.exec(text.slice(i + 1, i + 9));
      if (!m) return undefined;
      out += String.fromCodePoint(parseInt(m[1] ?? m[2], 16));
      i += m[0].length;
    } else if (e === 'x') {
      const h = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return undefined;
      out += String.fromCharCode(parseInt(h, 16));
      i += 2;
    } else if (e === '\n') {
      // a line continuation adds nothing
    } else out += ESCAPES[e] ?? e;
  }
  return undefined;
}

/**
 * The messages of one source text, and the calls whose first argument is not a literal.
 * @param {string} text
 * @param {string} [file]
 */
export function scanSource(text, file = '<text>') {
  /** @type {{ message: string, file: string, line: number }[]} */
  const messages = [];
  /** @type {string[]} */
  const problems = [];
  // An alias (`const t = vscode.l10n.t`) would hide its messages from this scan: refuse it.
  for (const m of text.matchAll(ANY_USE)) {
    if (!/^\s*\(/.test(text.slice(m.index + m[0].length, m.index + m[0].length + 20))) {
      problems.push(`${file}:${text.slice(0, m.index).split('\n').length}: l10n.t is used other than called; call vscode.l10n.t('…') itself`);
    }
  }
  for (const m of text.matchAll(CALL)) {
    let i = m.index + m[0].length;
    while (i < text.length && /\s/.test(text[i])) i++;
    const lit = readLiteral(text, i);
    const line = text.slice(0, m.index).split('\n').length;
    if (!lit) {
      problems.push(`${file}:${line}: the first argument of l10n.t is not a plain string literal`);
      continue;
    }
    let j = lit.end;
    while (j < text.length && /\s/.test(text[j])) j++;
    if (text[j] !== ',' && text[j] !== ')') problems.push(`${file}:${line}: l10n.t's message is built from pieces; use {0} placeholders`);
    else messages.push({ message: lit.value, file, line });
  }
  return { messages, problems };
}

/** @param {string} dir */
function tsFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

/** Every message under `root`'s source folders, and every problem found on the way. */
export function collect(root = ROOT) {
  /** @type {{ message: string, file: string, line: number }[]} */
  const messages = [];
  /** @type {string[]} */
  const problems = [];
  for (const dir of SOURCE_DIRS) {
    for (const file of tsFiles(join(root, dir))) {
      const r = scanSource(readFileSync(file, 'utf8'), relative(root, file));
      messages.push(...r.messages);
      problems.push(...r.problems);
    }
  }
  return { messages, problems };
}

/**
 * The bundle as VS Code reads it: message → message, sorted so that diffs stay small.
 * @param {{ message: string }[]} messages
 */
export function bundleOf(messages) {
  const keys = [...new Set(messages.map((m) => m.message))].sort();
  return Object.fromEntries(keys.map((k) => [k, k]));
}

export const bundleText = (/** @type {Record<string, string>} */ bundle) => `${JSON.stringify(bundle, null, 2)}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { messages, problems } = collect();
  for (const p of problems) console.error(p);
  const text = bundleText(bundleOf(messages));
  const file = join(ROOT, BUNDLE);
  if (process.argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(file, 'utf8');
    } catch {
      // no bundle yet: it differs
    }
    if (old !== text) console.error(`${BUNDLE} is out of date: run node scripts/l10n-export.mjs`);
    process.exit(old !== text || problems.length ? 1 : 0);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`${BUNDLE}: ${Object.keys(JSON.parse(text)).length} messages${problems.length ? `; ${problems.length} problems` : ''}`);
  process.exit(problems.length ? 1 : 0);
}
