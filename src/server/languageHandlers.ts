// The language service as the server's worker thread answers it (languageWorker.ts):
// a pipeline file that makes a check loop or allocate without bound costs that request
// (the server's watchdog stops the worker after REQUEST_DEADLINE_MS), never the server,
// whose other files keep their diagnostics. Each request carries the document's text;
// answers are LSP-shaped, so server.ts only forwards.
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  completePipelineFile,
  hoverPipelineFile,
  pipelineCodeLenses,
  pipelineDefinition,
  pipelineFileKind,
  pipelineSymbols,
  validatePipelineFile,
} from '../core/pipelines/languageService';
import { newFsMemo, nodePipelineFs, type FsMemo } from '../core/pipelines/nodePipelineFs';
import { folderOfUri } from './folderOfUri';
import { toCodeLens, toCompletionItem, toDiagnostic, toDocumentSymbol, toLocation } from './lspMapping';

/** What every request sends: the document as the server holds it, and a place in it. */
export interface DocRequest {
  uri: string;
  version: number;
  text: string;
  /** The cursor, as an offset into `text` (requests at a position). */
  offset?: number;
  /** The workspace folder that reads of params and lock files stay inside (WorkspaceRoots). */
  root?: string;
  /** Counts the server's watched-file events: a new count means the disk changed. */
  filesEpoch?: number;
  /** Whether the client reports every file change; else what the disk answered expires. */
  filesWatched?: boolean;
}

/**
 * How long what the disk answered (a dep exists, params.yaml's text) is reused when the
 * client does not report file changes: such a client sees a change on disk within this
 * time, at the next request. A client that reports them gets a fresh look at each one.
 */
export const FS_MEMO_MS = 2000;
const memos = new Map<string, { memo: FsMemo; epoch: number | undefined; since: number }>();

/** The file system a request sees: the document's folder read inside `root`, or none for an unsaved file. */
function fsFor(r: DocRequest) {
  const folder = folderOfUri(r.uri);
  if (!folder) return { folder, fs: undefined };
  const key = `${folder}\0${r.root ?? ''}`;
  const now = Date.now();
  let held = memos.get(key);
  if (!held || held.epoch !== r.filesEpoch || (!r.filesWatched && now - held.since > FS_MEMO_MS)) {
    if (memos.size > 16) memos.clear();
    memos.set(key, (held = { memo: newFsMemo(), epoch: r.filesEpoch, since: now }));
  }
  return { folder, fs: nodePipelineFs(folder, r.root, held.memo) };
}

const docOf = (r: DocRequest) => TextDocument.create(r.uri, 'yaml', r.version, r.text);

export const languageHandlers = {
  validate: (r: DocRequest) => {
    if (!pipelineFileKind(r.uri)) return { diagnostics: [], log: [] };
    const log: string[] = [];
    const diagnostics = validatePipelineFile(r.uri, r.text, fsFor(r).fs, (line) => log.push(line)).map((d) => toDiagnostic(d, r.uri));
    return { diagnostics, log };
  },
  completion: (r: DocRequest) => {
    const doc = docOf(r);
    const offset = r.offset ?? 0;
    return completePipelineFile(r.uri, r.text, offset, fsFor(r).fs).map((e) => toCompletionItem(e, doc, offset));
  },
  hover: (r: DocRequest) => {
    const hover = hoverPipelineFile(r.uri, r.text, r.offset ?? 0, fsFor(r).fs);
    return hover ? { contents: { kind: 'markdown' as const, value: hover.markdown }, range: hover.range } : null;
  },
  definition: (r: DocRequest) => {
    const { folder, fs } = fsFor(r);
    return pipelineDefinition(r.uri, r.text, r.offset ?? 0, fs).flatMap((t) => toLocation(t, r.uri, folder) ?? []);
  },
  symbols: (r: DocRequest) => pipelineSymbols(r.uri, r.text).map(toDocumentSymbol),
  codeLenses: (r: DocRequest) => pipelineCodeLenses(r.uri, r.text).map((l) => toCodeLens(l, r.uri)),
};
