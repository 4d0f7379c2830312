import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';

/**
 * Webview options every MLOps panel uses: scripts on, and only our bundles and icons
 * loadable. `retainContextWhenHidden` is deliberately absent: panels restore from
 * their saved state instead of keeping a hidden renderer alive.
 */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * The HTML shell of a webview app bundled to dist/webviews/<app>.js (and <app>.css when
 * the app imports CSS). Strict CSP: one nonce per load for the script, no inline or
 * eval; styles only from our bundle (element.style and constructed stylesheets, which
 * uPlot and lit use, are CSSOM and not blocked by style-src).
 */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, app: string, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const base = vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(base, `${app}.js`));
  const cssFile = vscode.Uri.joinPath(base, `${app}.css`);
  const css = existsSync(cssFile.fsPath) ? `<link rel="stylesheet" href="${webview.asWebviewUri(cssFile).toString()}">` : '';
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
${css}
</head>
<body>
<div id="root" data-app="${escapeHtml(app)}"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
