import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CompletionItemKind,
  DiagnosticSeverity,
  SymbolKind,
  type CodeLens,
  type CompletionItem,
  type Diagnostic,
  type DocumentSymbol,
  type Location,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PipelineDiagnostic, Severity } from '../core/pipelines/diagnostics';
import type { CompletionEntry, CompletionKind, DefinitionTarget, LensEntry, SymbolEntry } from '../core/pipelines/features';
import { DIAGNOSTIC_SOURCE } from '../protocol/language';
import { lensArgs } from '../protocol/lensCommands';

// Core results → LSP types. Kept apart from the handlers so server.ts stays wiring only.

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const COMPLETION_KIND: Record<CompletionKind, CompletionItemKind> = {
  key: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  file: CompletionItemKind.File,
  folder: CompletionItemKind.Folder,
  variable: CompletionItemKind.Variable,
  param: CompletionItemKind.Field,
  stage: CompletionItemKind.Module,
};

export function toDiagnostic(d: PipelineDiagnostic, uri: string): Diagnostic {
  const out: Diagnostic = { range: d.range, severity: SEVERITY[d.severity], message: d.message, code: d.code, source: DIAGNOSTIC_SOURCE };
  if (d.related) out.relatedInformation = d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  return out;
}

export function toCompletionItem(e: CompletionEntry, doc: TextDocument, offset: number): CompletionItem {
  const item: CompletionItem = { label: e.label, kind: COMPLETION_KIND[e.kind], detail: e.detail, documentation: e.documentation };
  const newText = e.insertText ?? e.label;
  if (e.replaceFrom !== undefined) {
    item.textEdit = { range: { start: doc.positionAt(e.replaceFrom), end: doc.positionAt(offset) }, newText };
    item.filterText = e.label;
  } else if (e.insertText) item.insertText = e.insertText;
  return item;
}

/** A target in another file is relative to the pipeline file's folder. */
export function toLocation(t: DefinitionTarget, uri: string, folder: string | undefined): Location | undefined {
  if (!t.file) return { uri, range: t.range };
  if (!folder) return undefined;
  return { uri: pathToFileURL(path.resolve(folder, t.file)).toString(), range: t.range };
}

export function toDocumentSymbol(s: SymbolEntry): DocumentSymbol {
  return { name: s.name, detail: s.detail, kind: s.kind === 'stage' ? SymbolKind.Function : SymbolKind.Method, range: s.range, selectionRange: s.selectionRange };
}

export function toCodeLens(l: LensEntry, uri: string): CodeLens {
  return { range: l.range, command: { title: l.title, command: l.command, arguments: lensArgs(uri, l.target) } };
}
