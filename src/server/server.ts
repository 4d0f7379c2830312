// The MLOps language server. LSP wiring only: the language service lives in
// core/pipelines and is tested on fixtures. Runs in VS Code (IPC) and standalone for any
// LSP client: `node dist/server.js --stdio`.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { errorMessage } from '../core/common/errors';
import {
  completePipelineFile,
  hoverPipelineFile,
  pipelineCodeLenses,
  pipelineDefinition,
  pipelineFileKind,
  pipelineSymbols,
  validatePipelineFile,
} from '../core/pipelines/languageService';
import { toCodeLens, toCompletionItem, toDiagnostic, toDocumentSymbol, toLocation } from './lspMapping';
import { nodePipelineFs } from '../core/pipelines/nodePipelineFs';
import { folderOfUri } from './folderOfUri';
import { WorkspaceRoots } from './workspaceRoots';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

// Params and lock files are read only inside the workspace folder holding the pipeline file.
const roots = new WorkspaceRoots();
let foldersChange = false;

connection.onInitialize((params) => {
  roots.add(params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []));
  foldersChange = !!params.capabilities.workspace?.workspaceFolders;
  return {
    capabilities: {
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: ['{', '.', '/', ' ', ':'] },
      hoverProvider: true,
      definitionProvider: true,
      documentSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'mlops-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (!foldersChange) return;
  connection.workspace.onDidChangeWorkspaceFolders((e) => {
    roots.remove(e.removed.map((f) => f.uri));
    roots.add(e.added.map((f) => f.uri));
  });
});

/** The file system a request sees: the document's folder, or none for an unsaved file. */
function fsFor(uri: string) {
  const folder = folderOfUri(uri);
  return { folder, fs: folder ? nodePipelineFs(folder, roots.rootOf(folder)) : undefined };
}

/**
 * Runs a handler so that nothing it throws reaches the connection: one odd file must
 * never take the server down or leave a request unanswered. Logs and answers `fallback`.
 */
function guarded<P, R>(what: string, fallback: R, handler: (params: P) => R): (params: P) => R {
  return (params: P) => {
    try {
      return handler(params);
    } catch (err) {
      connection.console.error(`${what} failed: ${errorMessage(err)}`);
      return fallback;
    }
  };
}

function validate(doc: TextDocument): void {
  if (!pipelineFileKind(doc.uri)) return;
  const diagnostics = guarded('validation of ' + doc.uri, [], () => validatePipelineFile(doc.uri, doc.getText(), fsFor(doc.uri).fs, (line) => connection.console.warn(`${doc.uri}: ${line}`)).map((d) => toDiagnostic(d, doc.uri)))(undefined);
  void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
}

// Typing fast queues one change event per keystroke; validating each version of a large
// file would let the diagnostics lag further and further behind. Coalesce per document
// to the newest version, without adding a delay.
const pending = new Set<string>();
function scheduleValidation(uri: string): void {
  if (pending.has(uri)) return;
  pending.add(uri);
  setImmediate(() => {
    pending.delete(uri);
    const doc = documents.get(uri);
    if (doc) validate(doc);
  });
}

documents.onDidChangeContent((e) => scheduleValidation(e.document.uri));
documents.onDidClose((e) => void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));
// params.yaml, dvc.lock or a dep changed on disk: the open pipeline files may read differently.
connection.onDidChangeWatchedFiles(() => documents.all().forEach((d) => scheduleValidation(d.uri)));

connection.onCompletion(
  guarded('completion', [], ({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const offset = doc.offsetAt(position);
    return completePipelineFile(doc.uri, doc.getText(), offset, fsFor(doc.uri).fs).map((e) => toCompletionItem(e, doc, offset));
  }),
);

connection.onHover(
  guarded('hover', null, ({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    const hover = doc && hoverPipelineFile(doc.uri, doc.getText(), doc.offsetAt(position), fsFor(doc.uri).fs);
    return hover ? { contents: { kind: 'markdown' as const, value: hover.markdown }, range: hover.range } : null;
  }),
);

connection.onDefinition(
  guarded('definition', [], ({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const { folder, fs } = fsFor(doc.uri);
    return pipelineDefinition(doc.uri, doc.getText(), doc.offsetAt(position), fs).flatMap((t) => toLocation(t, doc.uri, folder) ?? []);
  }),
);

connection.onDocumentSymbol(
  guarded('document symbols', [], ({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    return doc ? pipelineSymbols(doc.uri, doc.getText()).map(toDocumentSymbol) : [];
  }),
);

connection.onCodeLens(
  guarded('code lenses', [], ({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    return doc ? pipelineCodeLenses(doc.uri, doc.getText()).map((l) => toCodeLens(l, doc.uri)) : [];
  }),
);

documents.listen(connection);
connection.listen();
