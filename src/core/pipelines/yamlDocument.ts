import { parseDocument, type Document } from 'yaml';
import { LineIndex } from '../common/positions';
import type { PipelineDiagnostic } from './diagnostics';

export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LineIndex;
  diagnostics: PipelineDiagnostic[];
}

/**
 * Parses YAML keeping node ranges, and turns the parser's errors and warnings into
 * diagnostics with exact ranges. Never throws: the language server must answer
 * whatever the user has typed so far.
 */
export function parseYaml(text: string): ParsedYaml {
  const lines = new LineIndex(text);
  // prettyErrors off: the message stays one line; the range already says where.
  const doc = parseDocument(text, { prettyErrors: false, keepSourceTokens: false, uniqueKeys: true });
  const diagnostics: PipelineDiagnostic[] = [];
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
  return { doc, lines, diagnostics };
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
