// The one way the extension reads and writes its settings: typed, with the defaults of
// package.json (settingsTable.ts), and machine-scoped settings read from the user's value
// only. A lint rule keeps `getConfiguration(` out of every other file.
import * as vscode from 'vscode';
import { MACHINE_SETTINGS, settingOrDefault, type SettingKey, type SettingValues } from './settingsTable';

export type { SettingKey, SettingValues };

/** The value of `mlops.<key>` in effect for this window (machine settings: the user's). */
export function setting<K extends SettingKey>(key: K): SettingValues[K] {
  const config = vscode.workspace.getConfiguration('mlops');
  if (MACHINE_SETTINGS.has(key)) {
    // VS Code already ignores workspace values of machine settings; reading only the
    // user's value keeps that true even if a scope in package.json is ever changed.
    const i = config.inspect(key);
    return settingOrDefault(key, i?.globalValue);
  }
  return settingOrDefault(key, config.get(key));
}

/**
 * Saves `mlops.<key>` in the user's settings, or the workspace's where asked; a machine
 * setting is always the user's (a repository's value of it would be ignored).
 */
export async function updateSetting<K extends SettingKey>(key: K, value: SettingValues[K], where: 'user' | 'workspace' = 'user'): Promise<void> {
  const target = where === 'workspace' && !MACHINE_SETTINGS.has(key) ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('mlops').update(key, value, target);
}

/** Whether a configuration change touches `mlops.<prefix>` (a key or a group such as `runs`). */
export function settingChanged(e: vscode.ConfigurationChangeEvent, ...prefixes: string[]): boolean {
  return prefixes.some((p) => e.affectsConfiguration(`mlops.${p}`));
}
