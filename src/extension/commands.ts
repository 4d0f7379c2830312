import * as vscode from 'vscode';
import { errorMessage } from '../core/common/errors';
import type { LanguageClientHandle } from './languageClient';

const DVC_YAML_TEMPLATE = `# A DVC pipeline: each stage runs \`cmd\`; DVC reruns it when its deps or params change.
# Reference: https://dvc.org/doc/user-guide/project-structure/dvcyaml-files
stages:
  prepare:
    cmd: python src/prepare.py
    deps:
      - src/prepare.py
    outs:
      - data/prepared
`;

/** General commands; each feature registers its own next to its code. */
export function registerCommands(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  languageClient: LanguageClientHandle,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.showLog', () => log.show()),
    vscode.commands.registerCommand('mlops.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`),
    ),
    vscode.commands.registerCommand('mlops.restartLanguageServer', () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'MLOps: restarting the language server' },
        () =>
          languageClient.restart().catch((err) => {
            log.error(`Restart failed: ${errorMessage(err)}`);
          }),
      ),
    ),
    vscode.commands.registerCommand('mlops.createDvcYaml', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showErrorMessage('MLOps: open a folder first; dvc.yaml lives at the root of a project.');
        return;
      }
      const uri = vscode.Uri.joinPath(folder.uri, 'dvc.yaml');
      const exists = await vscode.workspace.fs.stat(uri).then(
        () => true,
        () => false,
      );
      // Never overwrite a user's pipeline: an existing file is opened as it is.
      if (!exists) await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(DVC_YAML_TEMPLATE));
      await vscode.window.showTextDocument(uri);
    }),
  );
}
