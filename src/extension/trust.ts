// Restricted Mode (an untrusted workspace): the views read files, nothing runs. Every
// place that starts a process (dvc, mlflow, tasks) or connects (Docker, SSH) asks here
// first, so a cloned repository cannot make us execute or connect before the user trusts it.
import * as vscode from 'vscode';
import { showWarning } from './notify';

export class RestrictedModeError extends Error {
  constructor(what: string) {
    // `what` is a whole translated activity ("Connecting to gpu-1"), the sentence's subject.
    super(vscode.l10n.t('{0} is off in Restricted Mode: trust this workspace (Manage Workspace Trust) to allow it', what));
    this.name = 'RestrictedModeError';
  }
}

export const workspaceTrusted = (): boolean => vscode.workspace.isTrusted;

/** Throws RestrictedModeError when the workspace is not trusted. */
export function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted) throw new RestrictedModeError(what);
}

/** Tells the user why nothing ran; false when the workspace is not trusted. */
export function trustedOrExplain(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void showWarning(`${new RestrictedModeError(what).message}.`, vscode.l10n.t('Manage Workspace Trust')).then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

/** Refreshes the views that showed "Restricted Mode" once the user grants trust. */
export function registerTrustRefresh(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      for (const id of ['mlops.refreshWorkspaces', 'mlops.refreshRuns', 'mlops.refreshPipelines', 'mlops.refreshJobs']) void vscode.commands.executeCommand(id).then(undefined, () => undefined);
    }),
  );
}
