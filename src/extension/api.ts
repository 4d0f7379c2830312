import type * as vscode from 'vscode';

/** What activate() returns: used by the E2E harness and by other extensions. */
export interface MlopsApi {
  activation: {
    /** Evaluating dist/extension.js: from its first line to its last. */
    moduleLoadMs: number;
    /** VS Code's own work between loading the bundle and calling activate(). */
    hostGapMs: number;
    /** Time spent inside activate(). */
    activateMs: number;
  };
  views: {
    workspaces: vscode.TreeDataProvider<unknown>;
    runs: vscode.TreeDataProvider<unknown>;
    data: vscode.TreeDataProvider<unknown>;
    pipelines: vscode.TreeDataProvider<unknown>;
    jobs: vscode.TreeDataProvider<unknown>;
    models: vscode.TreeDataProvider<unknown>;
  };
  /** Starts the language client if no pipeline file did yet; resolves once it runs (or is off). */
  languageClientReady(): Promise<void>;
  telemetry: { readonly enabled: boolean; readonly sent: number };
}
