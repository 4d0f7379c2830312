// The @vscode-elements controls the panels use. They ship as ES modules, which this
// CommonJS-typed project can only name through import(); esbuild inlines these into the
// bundle (no code splitting), so they still load with it and define their elements at once.
export function loadElements(): void {
  void import('@vscode-elements/elements/dist/vscode-button/index.js');
  void import('@vscode-elements/elements/dist/vscode-checkbox/index.js');
  void import('@vscode-elements/elements/dist/vscode-single-select/index.js');
  void import('@vscode-elements/elements/dist/vscode-option/index.js');
  void import('@vscode-elements/elements/dist/vscode-textfield/index.js');
}
