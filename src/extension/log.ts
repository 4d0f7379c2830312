import * as vscode from 'vscode';

/** The one log of the extension ("MLOps Workbench" in the Output panel). */
export function createLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  const log = vscode.window.createOutputChannel('MLOps Workbench', { log: true });
  context.subscriptions.push(log);
  return log;
}
