// The serializers that bring panels back after a window reload, registered at activation
// (VS Code asks for them by view type) without the panels' code: the first panel to come
// back loads its feature (lazy/lazyFeature.ts) and hands over the webview and its saved state.
import * as vscode from 'vscode';

export function registerPanelSerializers<T extends string>(viewTypes: readonly T[], revive: (viewType: T, panel: vscode.WebviewPanel, state: unknown) => void): vscode.Disposable[] {
  return viewTypes.map((viewType) =>
    vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: async (panel, state) => revive(viewType, panel, state),
    }),
  );
}
