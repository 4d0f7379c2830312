import * as path from 'node:path';
import * as vscode from 'vscode';
import { readBoundedText, YAML_JSON_CAP } from '../../core/common/boundedRead';

const EXCLUDE = '**/{node_modules,.git,.dvc,.venv*,venv}/**';

/**
 * The workspace's dvc.yaml and MLproject files, searched once and then kept current by a
 * watcher: the Pipelines view refreshes on every burst of file events, and a findFiles
 * over a large workspace on each of them is what made refreshes slow.
 */
export class PipelineFiles implements vscode.Disposable {
  private dvc: Promise<vscode.Uri[]> | undefined;
  private mlp: Promise<vscode.Uri[]> | undefined;
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/{dvc.yaml,MLproject}', false, true, false);
  private readonly changed = new vscode.EventEmitter<void>();
  /** A pipeline file appeared or went away. */
  readonly onDidChange = this.changed.event;

  constructor() {
    const invalidate = () => this.invalidate();
    this.watcher.onDidCreate(invalidate);
    this.watcher.onDidDelete(invalidate);
    vscode.workspace.onDidChangeWorkspaceFolders(invalidate);
  }

  /**
   * Searches again on the next ask. Also for a listed file found gone: deleting the folder
   * that holds it reports only the folder to the watcher, which the glob does not match.
   */
  invalidate(): void {
    this.dvc = this.mlp = undefined;
    this.changed.fire();
  }

  dvcYamls(): Promise<vscode.Uri[]> {
    return (this.dvc ??= find('**/dvc.yaml'));
  }

  mlprojects(): Promise<vscode.Uri[]> {
    return (this.mlp ??= find('**/MLproject'));
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}

async function find(glob: string): Promise<vscode.Uri[]> {
  const files = await vscode.workspace.findFiles(glob, EXCLUDE, 200);
  return files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** The workspace folder holding `uri`: a repository's files are read only inside it. */
export function readRootOf(uri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
}

/**
 * A pipeline or params file's text: a regular file inside its workspace folder, at most the
 * YAML/JSON cap (core/common/boundedRead). Throws the refusal (or ENOENT) for the caller's
 * warning.
 */
export function readPipelineText(uri: vscode.Uri): Promise<string> {
  return readBoundedText(uri.fsPath, { cap: YAML_JSON_CAP, root: readRootOf(uri) });
}
