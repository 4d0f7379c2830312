import * as vscode from 'vscode';

/**
 * A view whose feature has not landed yet answers with no items, so VS Code shows the
 * view's welcome text (package.json `viewsWelcome`) with its next step.
 */
export class EmptyTreeProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }

  getChildren(): never[] {
    return [];
  }
}
