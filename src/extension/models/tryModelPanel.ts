// Try Model: a panel that sends a request body to served models (MLflow's `/invocations`, or
// MLServer's V2 `/v2/models/<name>/infer`) and shows their predictions (V2: the outputs), the
// latency over N repeats, and any error exactly as the server said it. The body starts as
// the version's logged example (or one built from its signature), as a V2 request for MLServer.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { readMlModel } from '../../core/models/mlmodel';
import { inferPath } from '../../core/models/serving';
import { invoke } from '../../core/models/servingClient';
import { checkJsonBody, exampleRequest } from '../../core/models/servingRequest';
import { checkV2Body, v2FromMlflowBody, v2Outputs } from '../../core/models/v2Request';
import { parseTryToHost, type HostToTry, type TryEndpoint, type TryProbe, type TryResult, type TryToHost } from '../../protocol/tryModel';
import { OpenPanels, PanelHost } from '../webviews/panelHost';
import type { ServedEndpoint, ServedEndpoints } from './servedEndpoints';

export const TRY_MODEL_VIEW_TYPE = 'mlops.tryModel';

export interface TryModelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  endpoints: ServedEndpoints;
}

export class TryModelPanel {
  private static readonly open = new OpenPanels<string, TryModelPanel>();
  private readonly host: PanelHost<TryToHost, HostToTry>;
  private sending?: vscode.CancellationTokenSource;

  /** The open panel of this endpoint, revealed; or a new one. */
  static show(deps: TryModelDeps, endpoint: ServedEndpoint): TryModelPanel {
    const open = TryModelPanel.open.get(endpoint.server.url);
    if (open) {
      open.host.panel.reveal();
      return open;
    }
    return new TryModelPanel(PanelHost.create(TRY_MODEL_VIEW_TYPE, vscode.l10n.t('Try {0}', endpoint.label), deps.extensionUri), deps, endpoint);
  }

  /** Test-only (E2E): the panel of an endpoint, if open. */
  static of(url: string): TryModelPanel | undefined {
    return TryModelPanel.open.get(url);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly deps: TryModelDeps,
    private readonly endpoint: ServedEndpoint,
  ) {
    const key = endpoint.server.url;
    this.host = new PanelHost(panel, {
      extensionUri: deps.extensionUri,
      app: 'tryModel',
      label: 'Try Model panel',
      parse: parseTryToHost,
      handle: (m) => this.handle(m),
      log: deps.log,
      onDispose: () => {
        this.sending?.cancel();
        TryModelPanel.open.delete(key, this);
      },
    });
    TryModelPanel.open.add(key, this);
    this.host.track(deps.endpoints.onDidChange(() => this.host.post({ type: 'endpoints', endpoints: this.endpointList() })));
  }

  probe(timeoutMs?: number): Promise<TryProbe> {
    return this.host.probe(timeoutMs);
  }

  private endpointList(): TryEndpoint[] {
    return this.deps.endpoints.all().map((e) => ({ id: e.server.url, label: `${e.label} (${e.server.launch.protocol === 'v2' ? 'MLServer, V2 · ' : ''}${e.server.url})` }));
  }

  private async handle(m: TryToHost): Promise<void> {
    if (m.type === 'ready') {
      const example = await this.example();
      this.host.post({
        type: 'init',
        title: this.endpoint.label,
        endpoints: this.endpointList(),
        selected: this.endpoint.server.url,
        body: example.text,
        format: 'json',
        exampleSource: example.source,
      });
      return;
    }
    if (m.type === 'send') await this.send(m);
  }

  private async example(): Promise<{ text: string; source: string }> {
    const v2 = this.endpoint.server.launch.protocol === 'v2';
    const empty = v2 ? '{\n  "inputs": [{"name": "", "shape": [1], "datatype": "FP64", "data": [0]}]\n}' : '{\n  "dataframe_split": {"columns": [], "data": []}\n}';
    const folder = this.endpoint.folder;
    if (!folder) return { text: empty, source: 'none (the model files are not on this machine)' };
    try {
      const info = await readMlModel(folder);
      const example = await exampleRequest(folder, info);
      if (!v2) return example;
      // The same example MLflow's server takes, as a V2 request typed by the signature.
      const request = example.source === 'none' ? undefined : v2FromMlflowBody(JSON.parse(example.text) as Record<string, unknown>, info);
      return request ? { text: JSON.stringify(request, null, 2), source: `${example.source}, as a V2 request` } : { text: empty, source: 'none' };
    } catch (err) {
      this.deps.log.warn(`Try Model: ${folder}: ${errorMessage(err)}`);
      return { text: empty, source: `none (${errorMessage(err)})` };
    }
  }

  private async send(m: Extract<TryToHost, { type: 'send' }>): Promise<void> {
    const targets = m.endpoints.map((url) => this.deps.endpoints.byUrl(url));
    if (targets.some((t) => !t)) {
      this.host.post({ type: 'problem', message: vscode.l10n.t('That served model was stopped. Serve it again from the Models view.') });
      return;
    }
    // One body for both: side by side needs servers that speak the same protocol.
    const protocols = new Set(targets.map((t) => t!.server.launch.protocol));
    if (protocols.size > 1) {
      this.host.post({ type: 'problem', message: vscode.l10n.t('MLflow\'s scoring server and MLServer take different bodies: compare two servers of the same kind.') });
      return;
    }
    const v2 = protocols.has('v2');
    if (v2 && m.format !== 'json') {
      this.host.post({ type: 'problem', message: vscode.l10n.t('MLServer takes V2 requests in JSON: choose JSON.') });
      return;
    }
    let body = m.body;
    if (m.format === 'json') {
      const checked = v2 ? checkV2Body(m.body) : checkJsonBody(m.body);
      if ('error' in checked) {
        this.host.post({ type: 'problem', message: checked.error });
        return;
      }
      body = checked.body;
    }
    this.sending?.cancel();
    const cancel = (this.sending = new vscode.CancellationTokenSource());
    this.host.post({ type: 'sending' });
    // One after the other: side by side, neither server's latency counts the other's load.
    const results: TryResult[] = [];
    for (const t of targets as ServedEndpoint[]) {
      try {
        const r = await invoke(t.server.url, body, { format: m.format, repeats: m.repeats, path: inferPath(t.server.launch), cancelled: () => cancel.token.isCancellationRequested });
        const predictions = r.status !== 200 ? undefined : v2 ? v2Outputs(r.json) : r.json && typeof r.json === 'object' && 'predictions' in r.json ? (r.json as { predictions: unknown }).predictions : undefined;
        results.push({
          endpoint: t.server.url,
          label: t.label,
          status: r.status,
          ok: r.status === 200,
          text: predictions !== undefined ? JSON.stringify(predictions, null, 2) : r.text,
          latency: r.latency && { n: r.latency.n, p50Ms: r.latency.p50Ms, p95Ms: r.latency.p95Ms },
        });
      } catch (err) {
        results.push({ endpoint: t.server.url, label: t.label, status: 0, ok: false, text: errorMessage(err) });
      }
    }
    if (!cancel.token.isCancellationRequested) this.host.post({ type: 'results', results });
  }
}
