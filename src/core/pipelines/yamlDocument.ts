import { isCollection, isMap, isPair, isScalar, parseDocument, YAMLParseError, type Document } from 'yaml';
import { LineIndex } from '../common/positions';
import { lenientParse } from './lenientYaml';
import { parseChunked, PARSE_OPTIONS } from './yamlChunks';
import type { PipelineDiagnostic } from './diagnostics';

export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LineIndex;
  diagnostics: PipelineDiagnostic[];
  /**
   * Every key that repeats an earlier key of its map, in text order. The tools part ways
   * here: ruamel.yaml (DVC) refuses the file, PyYAML (MLflow) keeps the last value.
   */
  duplicateKeys: { key: string; span: [number, number] }[];
}

/**
 * Parses YAML keeping node ranges, and turns the parser's errors and warnings into
 * diagnostics with exact ranges. Never throws: the language server must answer
 * whatever the user has typed so far.
 */
export function parseYaml(text: string): ParsedYaml {
  // Every YAML error is an Error, and capturing its stack was most of the time on a 1 MB
  // file with 47,000 of them (2.5 s of 3): the stack of a parse error says nothing anyway.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const deep = flowDepthPast(text, MAX_FLOW_DEPTH);
    return deep < 0 ? parseYamlText(text) : tooDeep(text, deep);
  } catch (err) {
    // The yaml package's parser recurses per nesting level and lets a RangeError out
    // (80,000 unclosed `{a: ` in a 1 MB file): one diagnostic instead of none at all.
    if (!(err instanceof RangeError)) throw err;
    return tooDeep(text, 0);
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
}

// The parser overflows its stack near 1,000 nested flow collections anyway, after seconds
// of work on a long line of `{` (2.7 s for 900 KB): past this depth it is not asked.
const MAX_FLOW_DEPTH = 1000;

/**
 * The offset where `[`/`{` nest deeper than `max`, or -1. Quoted strings (`cmd: "${${${…"`)
 * and comments are skipped; brackets inside plain scalars are counted, which no real
 * file takes anywhere near the limit.
 */
export function flowDepthPast(text: string, max: number): number {
  // Fewer brackets in the whole text than the limit cannot nest past it: two native
  // scans instead of a walk over every character (800 KB per edit of a 2,000-stage file).
  if (countOf(text, '[', max + 1) + countOf(text, '{', max + 1) <= max) return -1;
  let depth = 0;
  let prev = '\n'; // the last character that was not a space or tab
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') {
      if (++depth > max) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if ((c === '"' || c === "'") && QUOTE_AFTER.includes(prev)) i = quoteEnd(text, i);
    else if (c === '#' && (prev === '\n' || text[i - 1] === ' ' || text[i - 1] === '\t')) {
      while (i + 1 < text.length && text[i + 1] !== '\n' && text[i + 1] !== '\r') i++;
    }
    if (c !== ' ' && c !== '\t') prev = c === '\r' ? '\n' : c;
  }
  return -1;
}

/** How many times `c` occurs in `text`, counting no further than `limit`. */
function countOf(text: string, c: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0 && n < limit; i = text.indexOf(c, i + 1)) n++;
  return n;
}

/** Whether parseYaml gives up on the text as nested too deep (its one diagnostic, nothing else checked). */
export function nestsTooDeep(text: string): boolean {
  return flowDepthPast(text, MAX_FLOW_DEPTH) >= 0;
}

// A quote opens a quoted scalar only where a value or key starts (`it's` is plain text).
const QUOTE_AFTER = '\n:-[{,?';

/** The offset of the quote that closes the one at `start` (the end of the text if none). */
function quoteEnd(text: string, start: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (q === '"' && text[i] === '\\') i++;
    else if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return text.length;
}

function tooDeep(text: string, at: number): ParsedYaml {
  const lines = new LineIndex(text);
  const end = at ? at + 1 : /^[^\r\n]*/.exec(text)![0].length;
  const diagnostics: PipelineDiagnostic[] = [
    {
      range: lines.rangeOf(at, end),
      severity: 'error',
      message: 'This file nests deeper than the YAML parser can follow (it ran out of stack): nothing else in it is checked until the nesting is undone.',
      code: 'yaml-syntax',
    },
  ];
  return { doc: parseDocument('', PARSE_OPTIONS), lines, diagnostics, duplicateKeys: [] };
}

function parseYamlText(text: string): ParsedYaml {
  const lines = new LineIndex(text);
  // The yaml package takes `\n` and `\r\n` but not a lone `\r` (old Mac line ends, which
  // YAML and DVC's parser accept) as a line break. Same length, so every offset holds.
  if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
  // prettyErrors off: the message stays one line; the range already says where.
  // uniqueKeys off: the parser's own check compares each key with every earlier one, which
  // on a 2,000-stage `stages:` map was a quarter of the time to diagnostics after an edit.
  // A large dvc.yaml reuses the stages an edit did not touch (yamlChunks).
  let doc = parseChunked(text) ?? parseDocument(text, PARSE_OPTIONS);
  // Only a file with errors pays for the lenient pass: no extra work per edit otherwise.
  const lenient = doc.errors.length ? lenientParse(text, doc) : undefined;
  if (lenient) doc = lenient.doc;
  const duplicateKeys = addDuplicateKeyErrors(doc);
  const diagnostics: PipelineDiagnostic[] = [];
  for (const e of lenient?.accepted ?? []) {
    const [start, end] = widen(text, e.pos[0], e.pos[1]);
    diagnostics.push({
      range: lines.rangeOf(start, end),
      severity: 'warning',
      message: 'A continuation line of this quoted string is not indented past its key: PyYAML (MLflow) and ruamel.yaml (DVC) accept it, stricter YAML parsers do not.',
      code: 'yaml-lenient',
    });
  }
  for (const [list, severity] of [
    [doc.errors, 'error'],
    [doc.warnings, 'warning'],
  ] as const) {
    for (const e of list) {
      const [start, end] = widen(text, e.pos[0], e.pos[1]);
      diagnostics.push({
        range: lines.rangeOf(start, end),
        severity,
        message: e.message,
        code: e.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax',
      });
    }
  }
  return { doc, lines, diagnostics, duplicateKeys };
}

const TOKEN_END = /[\s:,[\]{}#]/;

/**
 * The parser reports some errors as a single character (a duplicate key's first letter)
 * or past the end of the text (an unclosed quote). Editors show those badly, so: an
 * error at or past the end points at the last character the user typed, and a one-
 * character range grows to the whole token it starts.
 */
function widen(text: string, start: number, end: number): [number, number] {
  if (start >= text.length) {
    let last = text.length - 1;
    while (last > 0 && /\s/.test(text[last])) last--;
    return [Math.max(0, last), Math.max(0, last) + (text.length ? 1 : 0)];
  }
  end = Math.min(Math.max(end, start + 1), text.length);
  if (end - start === 1 && !TOKEN_END.test(text[start])) {
    while (end < text.length && !TOKEN_END.test(text[end])) end++;
  }
  return [start, end];
}

/**
 * Every key that repeats an earlier key of its map under `node`, in walk order. A plain
 * walk, not yaml's visit(): this runs on every parse of a 2,000-stage file.
 */
export function duplicateKeysIn(node: unknown): ParsedYaml['duplicateKeys'] {
  const keys: ParsedYaml['duplicateKeys'] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth > 200) return;
    if (isPair(node)) {
      walk(node.key, depth + 1);
      walk(node.value, depth + 1);
      return;
    }
    if (!isCollection(node)) return;
    if (isMap(node) && node.items.length > 1) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        if (seen.has(key.value) && key.range) keys.push({ key: String(key.value), span: [key.range[0], key.range[1]] });
        seen.add(key.value);
      }
    }
    for (const item of node.items) walk(item, depth + 1);
  };
  walk(node, 0);
  return keys;
}

/** The message the parser gives a duplicate key (its DUPLICATE_KEY error). */
export const DUPLICATE_KEY_MESSAGE = 'Map keys must be unique';

/** The diagnostic of a duplicate key whose key starts at `start`, as parseYaml reports it. */
export function duplicateKeyDiagnostic(text: string, lines: LineIndex, start: number): PipelineDiagnostic {
  const [from, to] = widen(text, start, start + 1);
  return { range: lines.rangeOf(from, to), severity: 'error', message: DUPLICATE_KEY_MESSAGE, code: 'yaml-duplicate-key' };
}

/**
 * The parser's DUPLICATE_KEY errors (same message, same offset, same order among the
 * other errors), found with one Set per map instead of the parser's quadratic scan.
 * Returns the keys it found, for the checks that know which tool reads the file.
 */
function addDuplicateKeyErrors(doc: Document.Parsed): ParsedYaml['duplicateKeys'] {
  const keys = duplicateKeysIn(doc.contents);
  keys.sort((a, b) => a.span[0] - b.span[0]);
  if (!keys.length) return keys;
  // Each goes where the parser would have reported it: before the first later error.
  for (const { span } of keys) {
    const e = new YAMLParseError([span[0], span[0] + 1], 'DUPLICATE_KEY', DUPLICATE_KEY_MESSAGE);
    const at = doc.errors.findIndex((x) => x.pos[0] > e.pos[0]);
    doc.errors.splice(at < 0 ? doc.errors.length : at, 0, e);
  }
  return keys;
}
