import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

function onPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The DVC CLI from `mlops.dvc.path` or PATH, without asking. */
export function findDvc(): string | undefined {
  const configured = vscode.workspace.getConfiguration('mlops').get<string>('dvc.path', '').trim();
  return configured ? (existsSync(configured) ? configured : undefined) : onPath('dvc');
}

/** The DVC CLI, or undefined after telling the user how to install and point at it. */
export async function requireDvc(what: string): Promise<string | undefined> {
  const dvc = findDvc();
  if (dvc) return dvc;
  const configured = vscode.workspace.getConfiguration('mlops').get<string>('dvc.path', '').trim();
  const why = configured ? `mlops.dvc.path points at ${configured}, which does not exist` : 'the DVC CLI is not on PATH';
  const pick = await vscode.window.showErrorMessage(
    `MLOps: cannot ${what}: ${why}. Install DVC (pip install dvc) and set mlops.dvc.path to its dvc executable, then try again.`,
    'Open Settings',
    'DVC Install Guide',
  );
  if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'mlops.dvc.path');
  if (pick === 'DVC Install Guide') void vscode.env.openExternal(vscode.Uri.parse('https://dvc.org/doc/install'));
  return undefined;
}
