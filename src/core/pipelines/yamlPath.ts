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

const KEY_LINE = /^(?:"([^"]*)"|'([^']*)'|([^\s#'"{[\]][^:#]*?))\s*:(?:\s+(.*))?$/;

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
  const m = KEY_LINE.exec(rest.replace(/\s+#.*$/, '').trimEnd());
  const key = m ? (m[1] ?? m[2] ?? m[3])?.trim() : undefined;
  return { indent, dash, contentCol, key, opensBlock: !!m && !m[4] };
}

export function cursorContext(text: string, offset: number): CursorContext {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineBefore = text.slice(lineStart, offset);
  const prefix = /[^\s:'"[\]{},]*$/.exec(lineBefore)?.[0] ?? '';
  const indent = lineBefore.length - lineBefore.trimStart().length;
  const trimmed = lineBefore.slice(indent);
  const isItem = trimmed === '-' || trimmed.startsWith('- ');
  const afterDash = isItem ? trimmed.slice(1).trimStart() : trimmed;
  const colon = /^([^:#]+?)\s*:(\s|$)/.exec(afterDash);
  const valueKey = colon ? colon[1].replace(/^['"]|['"]$/g, '') : undefined;

  // Walk up: a line is our parent when its key sits left of our column (or at our column
  // and we are a list item under it: YAML lets `key:` and its `- items` share a column).
  const path: string[] = [];
  let col = isItem ? indent : indent;
  let item = isItem;
  let pos = lineStart - 1;
  while (pos > 0 && col > 0) {
    const start = text.lastIndexOf('\n', pos - 1) + 1;
    const s = shape(text.slice(start, pos).replace(/\r$/, ''));
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
