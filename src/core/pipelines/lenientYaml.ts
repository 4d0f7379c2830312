import { parseDocument, type Document, type YAMLError } from 'yaml';
import { PARSE_OPTIONS } from './yamlChunks';

// PyYAML (MLflow) and ruamel.yaml (DVC) do not check the indentation of a quoted
// scalar's continuation lines; the `yaml` package does ("Missing closing quote"). So a
// file both tools load got a syntax error from us. Where that is the only reason, we
// parse a copy in which those line breaks are spaces (same length, so every node range
// still fits the user's text) and say so at warning severity.

const MAX_REPAIRS = 20;
/** A quoted scalar longer than this is left alone: bounded work on crafted input. */
const MAX_CONTINUATION_LINES = 200;

export interface LenientParse {
  doc: Document.Parsed;
  /** The parser errors PyYAML and ruamel.yaml would not raise, now warnings. */
  accepted: YAMLError[];
}

const isUnclosedQuote = (e: YAMLError) => e.code === 'MISSING_CHAR' && /^Missing closing .?quote/.test(e.message);

/** Offset of the quote that opens the scalar whose closing quote the parser missed at `pos`. */
function openingQuote(text: string, pos: number): { at: number; quote: string } | undefined {
  const lineStart = text.lastIndexOf('\n', Math.max(0, pos - 1)) + 1;
  const line = text.slice(lineStart, pos);
  // The scalar starts after `key:` or `- `; the first quote that opens a value is it.
  const m = /(?:^|[:\-[{,]\s+|^\s*)(["'])/.exec(line);
  return m ? { at: lineStart + (m.index ?? 0) + m[0].length - 1, quote: m[1] } : undefined;
}

/** Where the quoted scalar opened at `at` closes, or -1. */
function closingQuote(text: string, at: number, quote: string): number {
  let lines = 0;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' && ++lines > MAX_CONTINUATION_LINES) return -1;
    if (quote === '"' && c === '\\') i++;
    else if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

/** The text with the single line breaks inside the quoted scalar turned into spaces. */
function joinContinuations(text: string, open: number, close: number): string {
  const inner = text.slice(open, close).replace(/([^\n])\n(?=[ \t]*[^\s])/g, '$1 ');
  return text.slice(0, open) + inner + text.slice(close);
}

/**
 * A parse that accepts what PyYAML and ruamel.yaml accept, or undefined when the strict
 * parse's errors are not of that kind (or a repair does not remove them).
 */
export function lenientParse(text: string, strict: Document.Parsed): LenientParse | undefined {
  let doc = strict;
  let repaired = text;
  const accepted: YAMLError[] = [];
  for (let n = 0; n < MAX_REPAIRS; n++) {
    const e = doc.errors.find(isUnclosedQuote);
    if (!e) break;
    const open = openingQuote(repaired, e.pos[0]);
    const close = open ? closingQuote(repaired, open.at, open.quote) : -1;
    if (!open || close < 0) return undefined;
    const next = joinContinuations(repaired, open.at, close);
    if (next === repaired) return undefined;
    repaired = next;
    accepted.push(e);
    doc = parseDocument(repaired, PARSE_OPTIONS);
  }
  return accepted.length && doc.errors.length === 0 ? { doc, accepted } : undefined;
}
