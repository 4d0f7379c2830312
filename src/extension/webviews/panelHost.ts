import * as vscode from 'vscode';
import { PanelChannel, type ProbeData } from './panelChannel';
import { panelHtml, panelOptions } from './panelHtml';

// The one host every MLOps panel is built on: it owns the webview's HTML (strict CSP,
// nonce), the ready handshake and the queue until then (PanelChannel), checked
// messages, and dispose. Panels add only what they show. Modelled on the idea of
// vscode-dvc's webview base with its "initialized" Deferred.

// Every panel's constructor passes these in the same order (`new PanelHost(panel, { …,
// app, label, parse, handle, log, onDispose })`), so `duplicates` pairs the four panels'
// calls by shape. They stay: the shared part is already here, and what each call holds is
// that panel's own bundle, label, parser, handler and open-panel set.
export interface PanelHostOptions<In extends { type: string }> {
  extensionUri: vscode.Uri;
  /** The bundle under dist/webviews/ (`metrics` → metrics.js). */
  app: string;
  /** "Metrics panel": log lines start with it. */
  label: string;
  parse: (raw: unknown) => In | undefined;
  handle: (m: In) => Promise<void> | void;
  log: vscode.LogOutputChannel;
  /** Called once when the panel closes, after the host let go of its listeners. */
  onDispose?: () => void;
}

export class PanelHost<In extends { type: string }, Out> implements vscode.Disposable {
  private readonly channel: PanelChannel<In, Out>;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** A new panel in the active column, with the options every panel of ours uses. */
  static create(viewType: string, title: string, extensionUri: vscode.Uri): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, panelOptions(extensionUri));
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly o: PanelHostOptions<In>,
  ) {
    this.channel = new PanelChannel<In, Out>({
      label: o.label,
      parse: o.parse,
      handle: o.handle,
      log: o.log,
      send: (m) => void panel.webview.postMessage(m),
      probes: e2eProbesEnabled(),
    });
    // A revived panel comes with the options it was saved with; ours may have changed.
    panel.webview.options = panelOptions(o.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(o.extensionUri, 'media', 'mlops.svg');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => void this.channel.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
    panel.webview.html = panelHtml(panel.webview, o.extensionUri, o.app, panel.title);
  }

  get ready(): boolean {
    return this.channel.ready;
  }

  post(m: Out): void {
    this.channel.post(m);
  }

  queue(work: () => Promise<void> | void): Promise<void> {
    return this.channel.queue(work);
  }

  whenReady(timeoutMs?: number): Promise<void> {
    return this.channel.whenReady(timeoutMs);
  }

  /** Test-only: what the webview shows now (see PanelChannel.probe); throws outside the E2E runs. */
  probe(timeoutMs?: number): Promise<ProbeData<In>> {
    return this.channel.probe(timeoutMs);
  }

  /** Keeps `d` until the panel closes. */
  track(...d: vscode.Disposable[]): void {
    if (this.disposed) for (const x of d) x.dispose();
    else this.disposables.push(...d);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.channel.close();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.o.onDispose?.();
  }
}

/**
 * The E2E runners (test/e2e/run.mjs, runDesktop.mjs) start the extension host with
 * MLOPS_E2E=1: only then may a suite probe what a panel's webview shows.
 */
function e2eProbesEnabled(): boolean {
  return process.env.MLOPS_E2E === '1';
}

/** The open panels of one kind, by key (one per dvc.yaml, per project, or per panel). */
export class OpenPanels<K, P> {
  private readonly byKey = new Map<K, P>();

  get(key: K): P | undefined {
    return this.byKey.get(key);
  }

  add(key: K, panel: P): void {
    this.byKey.set(key, panel);
  }

  delete(key: K, panel: P): void {
    if (this.byKey.get(key) === panel) this.byKey.delete(key);
  }

  values(): P[] {
    return [...this.byKey.values()];
  }
}
