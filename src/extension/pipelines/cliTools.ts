import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { trustedOrExplain, workspaceTrusted } from '../trust';
import { userSetting } from '../userSettings';

export type CliTool = 'dvc' | 'mlflow';

const INSTALL: Record<CliTool, { pip: string; guide: string; setting: string }> = {
  dvc: { pip: 'pip install dvc', guide: 'https://dvc.org/doc/install', setting: 'mlops.dvc.path' },
  mlflow: { pip: 'pip install mlflow', guide: 'https://mlflow.org/docs/latest/getting-started/', setting: 'mlops.mlflow.path' },
};

/** Finds an executable on PATH (argv-safe: we never build a shell string). */
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

/** The configured or PATH executable; undefined when there is none or in Restricted Mode (no message). */
export function findCli(tool: CliTool): string | undefined {
  if (!workspaceTrusted()) return undefined;
  const configured = userSetting<string>('mlops', `${tool}.path`, '').trim();
  return configured ? (existsSync(configured) ? configured : undefined) : onPath(tool);
}

/** The executable, or undefined after telling the user how to install or point at it. */
export async function requireCli(tool: CliTool, what?: string): Promise<string | undefined> {
  if (!trustedOrExplain(`Running ${tool}${what ? ` to ${what}` : ''}`)) return undefined;
  const found = findCli(tool);
  if (found) return found;
  const { pip, guide, setting } = INSTALL[tool];
  const configured = userSetting<string>('mlops', `${tool}.path`, '').trim();
  const why = configured ? `${setting} points at ${configured}, which does not exist` : `the ${tool === 'dvc' ? 'DVC' : 'MLflow'} CLI is not on PATH`;
  const pick = await vscode.window.showErrorMessage(
    `MLOps: ${what ? `cannot ${what}: ` : ''}${why}. Install it (${pip}, in your project's environment) and set ${setting} to its ${tool} executable, then try again.`,
    'Open Settings',
    'Install Guide',
  );
  if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', setting);
  if (pick === 'Install Guide') void vscode.env.openExternal(vscode.Uri.parse(guide));
  return undefined;
}

/** The tool's own folder first on PATH: a venv's dvc runs stages with that venv's python. */
export function cliEnv(exe: string): Record<string, string> {
  return { PATH: `${path.dirname(exe)}${path.delimiter}${process.env.PATH ?? ''}` };
}
