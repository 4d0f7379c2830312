import type { LensCommand } from '../../protocol/lensCommands';
import type { Range } from '../common/positions';

// The results of the editor features, in the core's own terms (the server maps them to
// LSP types), so the service is tested without a protocol library.

export type CompletionKind = 'key' | 'value' | 'file' | 'folder' | 'variable' | 'param' | 'stage';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** Text to insert when it differs from the label (`cmd: `). */
  insertText?: string;
  /** Offset where the text this entry replaces starts (a dotted key, a path); the cursor ends it. */
  replaceFrom?: number;
}

export interface HoverResult {
  markdown: string;
  range: Range;
}

/** A place to jump to: in this file (`file` is '') or in another, relative to this file's folder. */
export interface DefinitionTarget {
  file: string;
  range: Range;
}

export interface SymbolEntry {
  name: string;
  detail?: string;
  kind: 'stage' | 'entryPoint';
  range: Range;
  selectionRange: Range;
}

export interface LensEntry {
  range: Range;
  title: string;
  command: LensCommand;
  /** The stage or entry point name; the server prepends the document URI (protocol `LensArgs`). */
  target: string;
}

export const EMPTY_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
