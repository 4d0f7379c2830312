import * as vscode from 'vscode';
import { registerCommand } from './commandWrapper';
import { showError } from './notify';
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
    registerCommand('mlops.showLog', () => log.show()),
    registerCommand('mlops.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`),
    ),
    registerCommand('mlops.restartLanguageServer', () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('MLOps: restarting the language server') },
        () =>
          languageClient.restart().catch((err) => {
            log.error(`Restart failed: ${errorMessage(err)}`);
          }),
      ),
    ),
    registerCommand('mlops.createDvcYaml', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void showError(vscode.l10n.t('open a folder first; dvc.yaml lives at the root of a project.'));
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
