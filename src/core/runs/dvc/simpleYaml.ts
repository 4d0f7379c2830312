// A fast reader for the plain block YAML that params.yaml files nearly always are:
// nested mappings by indentation, scalars, `- item` lists of scalars and `[a, b]` flow
// lists of scalars, comments. Listing hundreds of experiments parses one params.yaml per
// commit, and the `yaml` package takes about a millisecond each; this takes a few
// microseconds. Anything outside that subset (anchors, multi-line or escaped strings,
// flow maps, documents, tabs) answers undefined and the caller uses the full parser,
// so the result is always what `yaml` (YAML 1.2 core schema) would give.

type Frame = { indent: number; value: Record<string, unknown> | unknown[] };

const NULL = /^(~|null|Null|NULL)$/;
const TRUE = /^(true|True|TRUE)$/;
const FALSE = /^(false|False|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// A plain scalar we resolve ourselves: no indicator that could start something else.
const PLAIN = /^[^-?:,[\]{}#&*!|>'"%@`\s]([^#:]|:(?!\s|$)|#(?<!\s#))*$/;

class Unsupported extends Error {}

function scalar(raw: string): unknown {
  const s = raw.trim();
  if (s === '') return null;
  if (s.startsWith("'")) {
    if (s.length < 2 || !s.endsWith("'") || s.slice(1, -1).includes("'")) throw new Unsupported();
    return s.slice(1, -1);
  }
  if (s.startsWith('"')) {
    if (s.length < 2 || !s.endsWith('"') || /["\\]/.test(s.slice(1, -1))) throw new Unsupported();
    return s.slice(1, -1);
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new Unsupported();
    const inner = s.slice(1, -1).trim();
    if (/[[\]{}'"]/.test(inner)) throw new Unsupported();
    return inner === '' ? [] : inner.split(',').map((x) => scalar(x));
  }
  if (!PLAIN.test(s) && !/^-[0-9.]/.test(s)) throw new Unsupported();
  if (NULL.test(s)) return null;
  if (TRUE.test(s)) return true;
  if (FALSE.test(s)) return false;
  if (INT.test(s)) {
    const n = Number(s);
    // Beyond 2^53 the yaml package keeps a string only with intAsBigInt; both give a float here, so leave it to it.
    if (!Number.isSafeInteger(n)) throw new Unsupported();
    return n;
  }
  if (FLOAT.test(s)) return Number(s);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(s) || /^\.(nan|NaN|NAN)$/.test(s) || /^0[ox]/.test(s)) throw new Unsupported();
  return s;
}

/** Strips a trailing ` # comment` outside quotes; the subset has no `#` in quoted strings. */
function stripComment(line: string): string {
  const i = line.search(/(^|\s)#/);
  if (i < 0) return line;
  const before = line.slice(0, i);
  if (/['"]/.test(before) && (before.split('"').length % 2 === 0 || before.split("'").length % 2 === 0)) throw new Unsupported();
  return before;
}

function parseLines(text: string): unknown {
  const root: Record<string, unknown> = {};
  // Each frame is a mapping or a list and the column its entries start at.
  const stack: Frame[] = [{ indent: 0, value: root }];
  // A key with nothing after its colon: its value is the block below it, or null.
  let open: { parent: Record<string, unknown>; key: string; indent: number } | undefined;
  for (const rawLine of text.split('\n')) {
    if (rawLine.includes('\t') || rawLine.startsWith('%') || rawLine.startsWith('---') || rawLine.startsWith('...')) throw new Unsupported();
    const line = stripComment(rawLine.replace(/\r$/, '')).replace(/\s+$/, '');
    if (!line) continue;
    const indent = line.length - line.trimStart().length;
    const body = line.slice(indent);
    const isItem = body === '-' || body.startsWith('- ');
    if (open) {
      if (indent > open.indent || (indent === open.indent && isItem)) {
        const child: Record<string, unknown> | unknown[] = isItem ? [] : {};
        open.parent[open.key] = child;
        stack.push({ indent, value: child });
      }
      open = undefined;
    }
    for (;;) {
      const f = stack[stack.length - 1];
      if (stack.length > 1 && (indent < f.indent || (Array.isArray(f.value) && indent === f.indent && !isItem))) stack.pop();
      else break;
    }
    const top = stack[stack.length - 1];
    if (indent !== top.indent) throw new Unsupported();
    if (isItem) {
      if (!Array.isArray(top.value)) throw new Unsupported();
      const item = body.slice(1).trim();
      if (item === '' || /^[^'"[]*:(\s|$)/.test(item)) throw new Unsupported();
      top.value.push(scalar(item));
      continue;
    }
    if (Array.isArray(top.value)) throw new Unsupported();
    const m = /^([A-Za-z_][A-Za-z0-9_.\-/]*):(\s+(.*))?$/.exec(body);
    if (!m || NULL.test(m[1]) || TRUE.test(m[1]) || FALSE.test(m[1])) throw new Unsupported();
    const [, key, , rest] = m;
    if (Object.prototype.hasOwnProperty.call(top.value, key)) throw new Unsupported();
    if (rest === undefined || rest === '') {
      top.value[key] = null;
      open = { parent: top.value, key, indent };
    } else {
      if (/^[|>&*!]/.test(rest)) throw new Unsupported();
      top.value[key] = scalar(rest);
    }
  }
  return root;
}

/** The data of a plain params file, or undefined when it needs the full YAML parser. */
export function parseSimpleYaml(text: string): unknown {
  try {
    return parseLines(text);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
