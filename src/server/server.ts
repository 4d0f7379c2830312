// The MLOps language server. LSP wiring only: the language service lives in
// core/pipelines and is tested on fixtures. Runs in VS Code (IPC) and standalone for any
// LSP client: `node dist/server.js --stdio`.
import {
  createConnection,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { errorMessage } from '../core/common/errors';
import type { Severity } from '../core/pipelines/diagnostics';
import { pipelineFileKind, validatePipelineFile } from '../core/pipelines/languageService';
import { DIAGNOSTIC_SOURCE } from '../protocol/language';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
  serverInfo: { name: 'mlops-language-server', version: '0.1.0' },
}));

function validate(doc: TextDocument): void {
  if (!pipelineFileKind(doc.uri)) return;
  let diagnostics: Diagnostic[] = [];
  try {
    diagnostics = validatePipelineFile(doc.uri, doc.getText()).map((d) => ({
      range: d.range,
      severity: SEVERITY[d.severity],
      message: d.message,
      code: d.code,
      source: DIAGNOSTIC_SOURCE,
    }));
  } catch (err) {
    // Never let one odd file take the server down: log it and publish nothing for it.
    connection.console.error(`validation of ${doc.uri} failed: ${errorMessage(err)}`);
  }
  void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
}

documents.onDidChangeContent((e) => validate(e.document));
documents.onDidClose((e) => void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));

documents.listen(connection);
connection.listen();
