/**
 * Where the cursor is in a YAML file that is being typed, from the text alone: the keys
 * above it by indentation. The parsed tree cannot say this on a blank line or in a half-
 * written entry, which is exactly where completion is asked for.
 */
export interface CursorContext {
  /** Keys from the root down to the mapping the cursor's line belongs to. */
  path: string[];
  /** The line is a list item (`- ...`). */
  isItem: boolean;
  /** The cursor is after `key:` on its line: `valueKey` is that key. */
  valueKey: string | undefined;
  /** The word being typed, up to the cursor. */
  prefix: string;
  /** The line up to the cursor. */
  lineBefore: string;
}

interface LineShape {
  indent: number;
  dash: boolean;
  /** Column where the content after `- ` starts. */
  contentCol: number;
  key: string | undefined;
  /** Nothing after `key:` on the line. */
  opensBlock: boolean;
}

// Every scan below is a single pass with indexOf or a loop, never a regex with a lazy
// group before `\s*`: those retry from each position and were quadratic on a long token
// or a long run of spaces (completion on a 40k-character token took 6.8 s).

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v' || /\s/.test(c);

/** Cuts a trailing ` # comment` (a `#` after whitespace), like `/\s+#.*$/`. */
function stripComment(rest: string): string {
  for (let i = rest.indexOf('#'); i > 0; i = rest.indexOf('#', i + 1)) {
    if (!isSpace(rest[i - 1])) continue;
    let start = i - 1;
    while (start > 0 && isSpace(rest[start - 1])) start--;
    return rest.slice(0, start);
  }
  return rest;
}

/** `key:` or `key: value` (quoted or plain key): the key and what follows `: `. */
function keyLine(rest: string): { key: string; value: string } | undefined {
  let key: string;
  let colon: number;
  const q = rest[0];
  if (q === '"' || q === "'") {
    const close = rest.indexOf(q, 1);
    if (close < 0) return undefined;
    key = rest.slice(1, close);
    colon = close + 1;
    while (colon < rest.length && isSpace(rest[colon])) colon++;
    if (rest[colon] !== ':') return undefined;
  } else {
    if (!rest || isSpace(q) || '#{[]'.includes(q)) return undefined;
    // A plain key runs to the first `:` and may hold no `#`.
    colon = rest.indexOf(':');
    if (colon < 0) return undefined;
    const hash = rest.indexOf('#');
    if (hash >= 0 && hash < colon) return undefined;
    key = rest.slice(0, colon);
  }
  const after = rest.slice(colon + 1);
  if (after && !isSpace(after[0])) return undefined;
  return { key, value: after.trimStart() };
}

/** The offset where the line holding `offset` starts; `\n`, `\r\n` and a lone `\r` all end lines. */
export function lineStartOf(text: string, offset: number): number {
  let i = Math.min(offset, text.length);
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c === 10 || c === 13) break;
    i--;
  }
  return i;
}

function shape(line: string): LineShape | undefined {
  const indent = line.length - line.trimStart().length;
  let rest = line.slice(indent);
  if (!rest || rest.startsWith('#')) return undefined;
  let dash = false;
  let contentCol = indent;
  if (rest === '-' || rest.startsWith('- ')) {
    dash = true;
    const after = rest.slice(1);
    contentCol = indent + 1 + (after.length - after.trimStart().length);
    rest = after.trimStart();
  }
  const m = keyLine(stripComment(rest).trimEnd());
  return { indent, dash, contentCol, key: m?.key.trim(), opensBlock: !!m && !m.value };
}

const PREFIX_STOP = ':\'"[]{},';

/** The word being typed: the characters before the cursor up to whitespace or YAML punctuation. */
function prefixOf(lineBefore: string): string {
  let i = lineBefore.length;
  while (i > 0 && !isSpace(lineBefore[i - 1]) && !PREFIX_STOP.includes(lineBefore[i - 1])) i--;
  return lineBefore.slice(i);
}

/** The key of `key: ...` (or `key:` at the end) being typed after, quotes stripped. */
function valueKeyOf(afterDash: string): string | undefined {
  let colon = -1;
  for (let i = 0; i < afterDash.length; i++) {
    const c = afterDash[i];
    if (c === '#') return undefined;
    if (c === ':' && (i + 1 === afterDash.length || isSpace(afterDash[i + 1]))) {
      colon = i;
      break;
    }
    if (c === ':') return undefined; // like `[^:#]+?`: a key cannot hold a colon
  }
  if (colon <= 0) return undefined;
  const key = afterDash.slice(0, colon).trimEnd();
  if (!key) return undefined;
  return key.replace(/^['"]/, '').replace(/['"]$/, '');
}

export function cursorContext(text: string, offset: number): CursorContext {
  const lineStart = lineStartOf(text, offset);
  const lineBefore = text.slice(lineStart, offset);
  const prefix = prefixOf(lineBefore);
  const indent = lineBefore.length - lineBefore.trimStart().length;
  const trimmed = lineBefore.slice(indent);
  const isItem = trimmed === '-' || trimmed.startsWith('- ');
  const afterDash = isItem ? trimmed.slice(1).trimStart() : trimmed;
  const valueKey = valueKeyOf(afterDash);

  // Walk up: a line is our parent when its key sits left of our column (or at our column
  // and we are a list item under it: YAML lets `key:` and its `- items` share a column).
  const path: string[] = [];
  let col = isItem ? indent : indent;
  let item = isItem;
  let pos = lineStart - 1;
  while (pos > 0 && col > 0) {
    // `pos` is the line end of the line above: skip `\r\n` as one break.
    const end = text.charCodeAt(pos) === 10 && text.charCodeAt(pos - 1) === 13 ? pos - 1 : pos;
    const start = lineStartOf(text, end);
    const s = shape(text.slice(start, end));
    pos = start - 1;
    if (!s) continue;
    if (s.dash) {
      if (s.indent >= col) continue;
      // We are inside this list item's mapping: its first key is our sibling or parent.
      if (s.key && s.opensBlock && col > s.contentCol) {
        path.unshift(s.key);
        col = s.contentCol;
        item = false;
        continue;
      }
      col = s.indent;
      item = true;
      continue;
    }
    if (!s.key) continue;
    if (s.indent < col || (s.indent === col && item && s.opensBlock)) {
      path.unshift(s.key);
      col = s.indent;
      item = false;
    }
  }
  return { path, isItem, valueKey, prefix, lineBefore };
}
