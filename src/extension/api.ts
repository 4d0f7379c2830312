import type * as vscode from 'vscode';

/** What activate() returns: used by the E2E harness and by other extensions. */
export interface MlopsApi {
  activation: {
    /** From the first line of dist/extension.js running to activate() being called. */
    moduleLoadMs: number;
    /** Time spent inside activate(). */
    activateMs: number;
  };
  views: {
    workspaces: vscode.TreeDataProvider<unknown>;
    runs: vscode.TreeDataProvider<unknown>;
    data: vscode.TreeDataProvider<unknown>;
    pipelines: vscode.TreeDataProvider<unknown>;
  };
  /** Resolves once the language client has started (or was turned off in settings). */
  languageClientReady(): Promise<void>;
  telemetry: { readonly enabled: boolean; readonly sent: number };
}
