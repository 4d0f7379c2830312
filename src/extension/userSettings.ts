// Settings that name an executable, a server, a host or a launch profile are `machine`
// scoped (package.json): a cloned repository's .vscode/settings.json must not choose what
// we run or where credentials go. VS Code already ignores workspace values of machine
// settings; reading only the user's value here keeps that true even if a scope is changed.
import * as vscode from 'vscode';

/** The user's (global) value of `section.key`, else the default; workspace values are ignored. */
export function userSetting<T>(section: string, key: string, fallback: T): T {
  const i = vscode.workspace.getConfiguration(section).inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue ?? fallback;
}
