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
      let [start, end] = e.pos;
      // A zero-width range is invisible in the editor; widen it to the character there,
      // or back onto the last character when the error is at the end of the file.
      if (end <= start) {
        if (start < text.length) end = start + 1;
        else start = Math.max(0, text.length - 1);
      }
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
