// Every message the extension shows goes through here, so that each one says where it
// comes from ("MLOps: ...") without every caller typing it. A lint rule keeps
// vscode.window.show*Message out of the other files.
import * as vscode from 'vscode';

const PREFIX = 'MLOps: ';

/** `message` with the "MLOps: " prefix, once. */
export function prefixed(message: string): string {
  return message.startsWith(PREFIX) ? message : PREFIX + message;
}

type Show = typeof vscode.window.showInformationMessage;

function shower(show: Show) {
  function notify<T extends string>(message: string, ...items: T[]): Thenable<T | undefined>;
  function notify<T extends string>(message: string, options: vscode.MessageOptions, ...items: T[]): Thenable<T | undefined>;
  function notify<T extends string>(message: string, ...rest: (T | vscode.MessageOptions)[]): Thenable<T | undefined> {
    return (show as (m: string, ...r: unknown[]) => Thenable<T | undefined>)(prefixed(message), ...rest);
  }
  return notify;
}

export const showError = shower(vscode.window.showErrorMessage);
export const showWarning = shower(vscode.window.showWarningMessage);
export const showInfo = shower(vscode.window.showInformationMessage);
