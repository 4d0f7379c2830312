// The MLOps language server. LSP wiring only: the language service lives in
// core/pipelines and is tested on fixtures. Runs in VS Code (IPC) and standalone for any
// LSP client: `node dist/server.js --stdio`.
//
// The service itself runs in a worker thread (languageWorker.ts) behind a watchdog: a
// request that runs past REQUEST_DEADLINE_MS (a check stuck on a crafted file) or a worker
// that hits its heap cap fails that one request, is logged, and the next request gets a
// fresh worker; this process and the other files' diagnostics live on. Should the process
// itself die, vscode-languageclient's default error handler restarts it (up to 4 times in
// 3 minutes) and re-opens every document, so every open file is checked again.
import * as path from 'node:path';
import { createConnection, DiagnosticSeverity, DidChangeWatchedFilesNotification, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { errorMessage } from '../core/common/errors';
import { IsolatedWorker, IsolatedWorkerError } from '../core/common/isolatedWorker';
import { pipelineFileKind } from '../core/pipelines/languageService';
import { DIAGNOSTIC_SOURCE, readServerInitOptions } from '../protocol/language';
import type { DocRequest, languageHandlers } from './languageHandlers';
import { folderOfUri } from './folderOfUri';
import { WorkspaceRoots } from './workspaceRoots';

/** The longest one request may take; a pipeline file of a few MB is checked in well under 1 s. */
export const REQUEST_DEADLINE_MS = 10_000;
const WORKER_HEAP_MB = 512;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

// MLOPS_LS_WORKER / MLOPS_LS_DEADLINE_MS: for the tests only (a worker whose checks
// misbehave on request, a shorter deadline); the extension sets neither.
const worker = new IsolatedWorker({
  name: 'the language service',
  script: process.env.MLOPS_LS_WORKER || path.join(__dirname, 'serverWorker.js'),
  heapMb: WORKER_HEAP_MB,
  deadlineMs: Number(process.env.MLOPS_LS_DEADLINE_MS) || REQUEST_DEADLINE_MS,
  idleStopMs: 10 * 60_000,
  log: (line) => connection.console.warn(line),
});

// Params and lock files are read only inside the workspace folder holding the pipeline file.
const roots = new WorkspaceRoots();
let foldersChange = false;

// Whether the client reports every file change (watched-file events): then what the worker
// learnt of the disk holds until one arrives; otherwise it is asked again after a while.
let filesWatched = false;
let canWatch = false;

connection.onInitialize((params) => {
  roots.add(params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []));
  foldersChange = !!params.capabilities.workspace?.workspaceFolders;
  filesWatched = !!readServerInitOptions(params.initializationOptions).filesWatched;
  canWatch = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
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
  // A client that watches files when asked (most editors; VS Code's is told by the extension).
  if (!filesWatched && canWatch) {
    connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*' }] }).then(
      () => (filesWatched = true),
      (err: unknown) => connection.console.warn(`Watching files failed: ${errorMessage(err)}; files are read again every few seconds.`),
    );
  }
  if (!foldersChange) return;
  connection.workspace.onDidChangeWorkspaceFolders((e) => {
    roots.remove(e.removed.map((f) => f.uri));
    roots.add(e.added.map((f) => f.uri));
  });
});

/** The workspace folder a document's reads stay inside (none for an unsaved file). */
function rootFor(uri: string): string | undefined {
  const folder = folderOfUri(uri);
  return folder ? roots.rootOf(folder) : undefined;
}
connection.onShutdown(() => worker.dispose());

type Handlers = typeof languageHandlers;
type Answer<M extends keyof Handlers> = ReturnType<Handlers[M]>;

/** Asks the worker; a failure (its deadline, its heap, a throw) is logged and answered with `fallback`. */
async function ask<M extends keyof Handlers>(method: M, doc: TextDocument, offset: number | undefined, fallback: Answer<M>): Promise<Answer<M>> {
  const request: DocRequest = { uri: doc.uri, version: doc.version, text: doc.getText(), offset, root: rootFor(doc.uri), filesEpoch, filesWatched };
  try {
    return await worker.call<Answer<M>>(method, request);
  } catch (err) {
    connection.console.error(`${method} of ${doc.uri} failed: ${errorMessage(err)}`);
    return fallback;
  }
}

/** A position request's document and offset, or nothing for a document we do not hold. */
function at(params: { textDocument: { uri: string }; position?: { line: number; character: number } }) {
  const doc = documents.get(params.textDocument.uri);
  return doc && { doc, offset: params.position ? doc.offsetAt(params.position) : undefined };
}

// A version whose check was stopped is not checked again (a watched-file event would
// re-run it): the next edit is.
const stopped = new Set<string>();

async function validate(doc: TextDocument): Promise<void> {
  if (!pipelineFileKind(doc.uri) || stopped.has(`${doc.uri}@${doc.version}`)) return;
  const request: DocRequest = { uri: doc.uri, version: doc.version, text: doc.getText(), root: rootFor(doc.uri), filesEpoch, filesWatched };
  let diagnostics: Diagnostic[];
  try {
    const answer = await worker.call<Answer<'validate'>>('validate', request);
    for (const line of answer.log) connection.console.warn(`${doc.uri}: ${line}`);
    diagnostics = answer.diagnostics;
  } catch (err) {
    connection.console.error(`validation of ${doc.uri} failed: ${errorMessage(err)}`);
    if (!(err instanceof IsolatedWorkerError)) diagnostics = [];
    else {
      stopped.add(`${doc.uri}@${doc.version}`);
      // Said in the file, so that an empty Problems list is not read as "all fine".
      diagnostics = [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Warning,
          source: DIAGNOSTIC_SOURCE,
          message: `This file was not checked: ${errorMessage(err)}. See the MLOps Language Server output.`,
        },
      ];
    }
  }
  // An answer for a version the editor has moved past is dropped: the newer one is on its way.
  if (documents.get(doc.uri)?.version === doc.version) void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
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
    if (doc) void validate(doc);
  });
}

documents.onDidChangeContent((e) => scheduleValidation(e.document.uri));
documents.onDidClose((e) => {
  for (const key of stopped) if (key.startsWith(`${e.document.uri}@`)) stopped.delete(key);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});
// params.yaml, dvc.lock or a dep changed on disk: the open pipeline files may read differently,
// and what the worker remembers of the disk is dropped (a new epoch).
let filesEpoch = 0;
connection.onDidChangeWatchedFiles(() => {
  filesEpoch++;
  documents.all().forEach((d) => scheduleValidation(d.uri));
});

connection.onCompletion(async (p) => {
  const r = at(p);
  return r ? ask('completion', r.doc, r.offset, []) : [];
});
connection.onHover(async (p) => {
  const r = at(p);
  return r ? ask('hover', r.doc, r.offset, null) : null;
});
connection.onDefinition(async (p) => {
  const r = at(p);
  return r ? ask('definition', r.doc, r.offset, []) : [];
});
connection.onDocumentSymbol(async (p) => {
  const r = at(p);
  return r ? ask('symbols', r.doc, undefined, []) : [];
});
connection.onCodeLens(async (p) => {
  const r = at(p);
  return r ? ask('codeLenses', r.doc, undefined, []) : [];
});

documents.listen(connection);
connection.listen();
