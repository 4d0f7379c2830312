import * as vscode from 'vscode';
import { showError } from './notify';
import { setting } from './settings';
import type { LanguageClient } from 'vscode-languageclient/node';
import { errorMessage } from '../core/common/errors';
import { pipelineFileKind } from '../core/pipelines/pipelineFileKind';
import { PIPELINE_FILE_PATTERNS, type ServerInitOptions } from '../protocol/language';
import { loadLazy } from './lazy/load';
import type { LensFilter } from './pipelines/workspaceLens';
import { TelemetryEvents, type Telemetry } from './telemetry';

export interface LanguageClientHandle {
  /** Starts the client if it is not running yet; resolves once it runs (or is turned off). */
  ensureStarted(): Promise<void>;
  restart(): Promise<void>;
}

const isPipelineDocument = (doc: vscode.TextDocument) => doc.uri.scheme === 'file' && !!pipelineFileKind(doc.uri.fsPath);

/**
 * The language client for dvc.yaml and MLproject files. It starts when the first such
 * file is open, not at activation: vscode-languageclient (~900 KB, its own bundle) and
 * the server process cost nothing to a user who never opens a pipeline file.
 */
export function registerLanguageClient(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  telemetry: Telemetry,
  /** Drops lenses the server offers but this window cannot serve now ("Run in workspace" without a workspace). */
  lensFilter?: LensFilter,
): LanguageClientHandle {
  let client: LanguageClient | undefined;
  let starting: Promise<void> | undefined;
  const serverOutput = vscode.window.createOutputChannel('MLOps Language Server', { log: true });
  context.subscriptions.push(serverOutput, { dispose: () => void client?.stop() });
  if (lensFilter) {
    context.subscriptions.push(
      lensFilter.onDidChange(() => {
        // One registration serves every pipeline file: firing its event redraws them all.
        const doc = vscode.workspace.textDocuments.find(isPipelineDocument);
        if (doc && client?.isRunning()) client.getFeature('textDocument/codeLens').getProvider(doc)?.onDidChangeCodeLensEmitter.fire();
      }),
    );
  }

  async function start(): Promise<void> {
    if (!setting('languageServer.enabled')) {
      log.info('Language server is off (mlops.languageServer.enabled).');
      return;
    }
    const { LanguageClient, TransportKind } = loadLazy<typeof import('./lazy/languageClientLib')>('languageClientLib');
    const module = context.asAbsolutePath('dist/server.js');
    const fileWatcher = vscode.workspace.createFileSystemWatcher('**/*');
    context.subscriptions.push(fileWatcher);
    client = new LanguageClient(
      'mlops.languageServer',
      'MLOps Language Server',
      {
        run: { module, transport: TransportKind.ipc },
        debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
      },
      {
        documentSelector: PIPELINE_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
        outputChannel: serverOutput,
        // Any file can be a dep, an output or a params file: when one appears, changes or
        // goes, the server re-checks the open pipeline files (a missing-dep warning clears).
        synchronize: { fileEvents: fileWatcher },
        initializationOptions: { filesWatched: true } satisfies ServerInitOptions,
        middleware: lensFilter && {
          provideCodeLenses: async (doc, token, next) => (await next(doc, token))?.filter((l) => lensFilter.keep(l)),
        },
      },
    );
    const started = Date.now();
    await client.start();
    log.info(`Language server started in ${Date.now() - started} ms.`);
    telemetry.send(TelemetryEvents.languageServerStarted, {}, { ms: Date.now() - started });
  }

  function ensureStarted(): Promise<void> {
    starting ??= start().catch((err) => {
      starting = undefined; // a later open or a restart tries again
      telemetry.send(TelemetryEvents.languageServerFailed);
      log.error(`Language server failed to start: ${errorMessage(err)}`);
      void showError(vscode.l10n.t('the language server did not start ({0}).', errorMessage(err)), vscode.l10n.t('Show Log')).then((pick) => pick && serverOutput.show());
      throw err;
    });
    return starting;
  }

  const startIfPipeline = (doc: vscode.TextDocument) => {
    if (isPipelineDocument(doc)) ensureStarted().catch(() => undefined); // reported in ensureStarted
  };
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(startIfPipeline));
  // Files restored from the last session are open already; check them after activation.
  setTimeout(() => vscode.workspace.textDocuments.forEach(startIfPipeline), 0);

  return {
    ensureStarted,
    async restart() {
      const old = client;
      client = undefined;
      starting = undefined;
      await old?.stop().catch((err) => log.warn(`Stopping the language server: ${errorMessage(err)}`));
      await ensureStarted();
    },
  };
}
