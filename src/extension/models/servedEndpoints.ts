// The model servers this window started (`mlflow models serve` children we own), listed
// under their versions in the Models view. Each logs to the MLOps log; all are stopped
// when the window closes (dispose), so no server outlives the editor that started it.
import * as vscode from 'vscode';
import type { ServePlan } from '../../core/models/serving';
import type { ServedModel } from '../../core/models/servingProcess';

export interface ServedEndpoint {
  /** `<registry id>#<model>#<version>`: the version node it shows under. */
  versionKey: string;
  /** "examples-classifier v3" / "examples-classifier@champion". */
  label: string;
  server: ServedModel;
  plan: ServePlan;
  /** The version's model folder on this machine, for Try Model's example. */
  folder?: string;
  state: 'starting' | 'healthy' | 'stopped';
  /** Why it stopped, when it did on its own. */
  exit?: string;
  started: number;
}

export const versionKeyOf = (registryId: string, model: string, version: string): string => `${registryId}#${model}#${version}`;

export class ServedEndpoints implements vscode.Disposable {
  private readonly list: ServedEndpoint[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  all(): readonly ServedEndpoint[] {
    return this.list;
  }

  forVersion(key: string): ServedEndpoint[] {
    return this.list.filter((e) => e.versionKey === key);
  }

  byUrl(url: string): ServedEndpoint | undefined {
    return this.list.find((e) => e.server.url === url);
  }

  add(e: ServedEndpoint): void {
    this.list.push(e);
    // A server that dies on its own leaves the list with a warning and its last lines logged.
    void e.server.whenExited().then(() => {
      if (e.state === 'stopped') return;
      e.state = 'stopped';
      e.exit = e.server.exit;
      this.log.warn(`Serving ${e.label} at ${e.server.url}: ${e.exit ?? 'stopped'}`);
      this.remove(e);
    });
    this.changed.fire();
  }

  update(): void {
    this.changed.fire();
  }

  async stop(e: ServedEndpoint): Promise<void> {
    e.state = 'stopped';
    this.log.info(`Serving ${e.label}: stopping ${e.server.url} (pid ${e.server.pid ?? '?'})`);
    await e.server.stop();
    this.remove(e);
  }

  private remove(e: ServedEndpoint): void {
    const i = this.list.indexOf(e);
    if (i >= 0) this.list.splice(i, 1);
    this.changed.fire();
  }

  dispose(): void {
    // The window is closing: signal every server's group now (stop() sends SIGTERM at once).
    for (const e of this.list.splice(0)) {
      e.state = 'stopped';
      void e.server.stop();
    }
    this.changed.dispose();
  }
}
