// Every command of the extension is registered here: it is timed, logged, counted in
// telemetry (id, outcome and time only) and a failure is shown once as "what failed. what
// to do next" with a Show Log action, instead of VS Code's bare "command failed". A lint
// rule keeps vscode.commands.registerCommand out of the other files.
import * as vscode from 'vscode';
import { runCommand, type CommandSink } from './commandRun';
import { showError } from './notify';
import { TelemetryEvents, type Telemetry } from './telemetry';

// Set once by activate() before any feature registers; until then (or in a test host
// without activate) failures still reach the user and the developer console.
let sink: CommandSink = {
  debug: () => undefined,
  error: (line) => console.error(line),
  event: () => undefined,
  showFailure: (m) => void showError(m),
};

/** Binds the wrapper to the extension's log and telemetry (activate() calls it first). */
export function configureCommands(log: vscode.LogOutputChannel, telemetry: Telemetry): void {
  sink = {
    debug: (line) => log.debug(line),
    error: (line) => log.error(line),
    event: (properties, measurements) => telemetry.send(TelemetryEvents.commandRun, properties, measurements),
    showFailure: (message) =>
      void showError(message, vscode.l10n.t('Show Log')).then((pick) => {
        if (pick) log.show();
      }),
  };
}

/** `vscode.commands.registerCommand`, through the wrapper. Put the result in context.subscriptions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commands take whatever VS Code passes (tree nodes, URIs)
export function registerCommand(id: string, fn: (...args: any[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, (...args: unknown[]) => runCommand(id, () => fn(...args), sink));
}
