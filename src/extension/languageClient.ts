import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { loadLazy } from './lazy/load';
import { errorMessage } from '../core/common/errors';
import { PIPELINE_FILE_PATTERNS } from '../protocol/language';
import { TelemetryEvents, type Telemetry } from './telemetry';

export interface LanguageClientHandle {
  ready: Promise<void>;
  restart(): Promise<void>;
}

/**
 * Starts the language client for dvc.yaml and MLproject files. vscode-languageclient is
 * loaded from its own bundle on first use so that activation does not pay for it.
 */
export function registerLanguageClient(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  telemetry: Telemetry,
): LanguageClientHandle {
  let client: LanguageClient | undefined;
  const serverOutput = vscode.window.createOutputChannel('MLOps Language Server', { log: true });
  context.subscriptions.push(serverOutput, { dispose: () => void client?.stop() });

  async function start(): Promise<void> {
    if (!vscode.workspace.getConfiguration('mlops').get<boolean>('languageServer.enabled', true)) {
      log.info('Language server is off (mlops.languageServer.enabled).');
      return;
    }
    const { LanguageClient, TransportKind } = loadLazy<typeof import('./lazy/languageClientLib')>('languageClientLib');
    const module = context.asAbsolutePath('dist/server.js');
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
      },
    );
    const started = Date.now();
    await client.start();
    log.info(`Language server started in ${Date.now() - started} ms.`);
    telemetry.send(TelemetryEvents.languageServerStarted, {}, { ms: Date.now() - started });
  }

  function startLogged(): Promise<void> {
    return start().catch((err) => {
      telemetry.send(TelemetryEvents.languageServerFailed);
      log.error(`Language server failed to start: ${errorMessage(err)}`);
      void vscode.window
        .showErrorMessage(`MLOps: the language server did not start (${errorMessage(err)}).`, 'Show Log')
        .then((pick) => pick && serverOutput.show());
      throw err;
    });
  }

  const handle: LanguageClientHandle = {
    ready: startLogged(),
    async restart() {
      const old = client;
      client = undefined;
      await old?.stop().catch((err) => log.warn(`Stopping the language server: ${errorMessage(err)}`));
      handle.ready = startLogged();
      await handle.ready;
    },
  };
  handle.ready.catch(() => undefined); // reported above; keep it from being unhandled
  return handle;
}
