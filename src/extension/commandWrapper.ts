// Every command of the extension is registered here: it is timed, logged, counted in
// telemetry (id, outcome and time only) and a failure is shown once as "what failed. what
// to do next" with a Show Log action, instead of VS Code's bare "command failed". A lint
// rule keeps vscode.commands.registerCommand out of the other files.
import * as vscode from 'vscode';
import { runCommand, type CommandSink } from './commandRun';
import { showError } from './notify';
import { TelemetryEvents, type Telemetry } from './telemetry';

// Set once by activate() before any feature registers; until then (or in a test host
// without activate) failures still reach the user and the developer console. Kept on the
// process under a registered symbol, not in this module: a feature loaded on first use
// (lazy/lazyFeature.ts) has its own copy of this module in its bundle, and its commands
// must log and count as the others do.
const SINK = Symbol.for('mlops.commandSink');
const holder = globalThis as { [SINK]?: CommandSink };
holder[SINK] ??= {
  debug: () => undefined,
  error: (line) => console.error(line),
  event: () => undefined,
  showFailure: (m) => void showError(m),
};

/** Binds the wrapper to the extension's log and telemetry (activate() calls it first). */
export function configureCommands(log: vscode.LogOutputChannel, telemetry: Telemetry): void {
  holder[SINK] = {
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
  return vscode.commands.registerCommand(id, (...args: unknown[]) => runCommand(id, () => fn(...args), holder[SINK] as CommandSink));
}

/**
 * A command's stand-in until its feature loads (lazy/lazyFeature.ts): not timed or counted
 * here, since it hands the call to the real command, which is.
 */
export function registerStandIn(id: string, fn: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, fn);
}
