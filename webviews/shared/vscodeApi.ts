// The webview side of postMessage and state. acquireVsCodeApi may be called once only.

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

export function vscodeApi(): VsCodeApi {
  api ??= typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };
  return api;
}

/** Shows a message where the panel's content would be: an empty or failed source is never a blank page. */
export function showNotice(el: HTMLElement, text: string, kind: 'info' | 'error' = 'info'): void {
  el.replaceChildren();
  el.hidden = !text;
  el.className = `notice notice-${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  for (const line of text.split('\n')) {
    const p = document.createElement('p');
    p.textContent = line;
    el.append(p);
  }
}
