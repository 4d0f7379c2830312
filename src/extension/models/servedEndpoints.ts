// The model servers this window started (`mlflow models serve` / `mlserver start` children we own), listed
// under their versions in the Models view. Each logs to the MLOps log; all are stopped
// when the window closes (dispose), so no server outlives the editor that started it.
import * as vscode from 'vscode';
import { pingOnce } from '../../core/models/serving';
import type { RunningServer } from '../../core/models/servingProcess';
import { showWarning } from '../notify';

// How often a served model's /ping is asked while it is listed: a cheap GET on loopback.
const HEALTH_POLL_MS = 15_000;

export interface ServedEndpoint {
  /** `<registry id>#<model>#<version>`: the version node it shows under. */
  versionKey: string;
  /** "examples-classifier v3" / "examples-classifier@champion". */
  label: string;
  server: RunningServer;
  plan: RunningServer['plan'];
  /** Left running when the window closes (a workspace server the user chose to keep). */
  keepRunning?: boolean;
  /** The version's model folder on this machine, for Try Model's example. */
  folder?: string;
  /** `unhealthy`: running, but its last health GET got no 200. */
  state: 'starting' | 'healthy' | 'unhealthy' | 'stopped';
  /** Why it stopped, when it did on its own. */
  exit?: string;
  started: number;
  /** It answered its health route once: stopping after that is worth telling the user. */
  everHealthy?: boolean;
}

export const versionKeyOf = (registryId: string, model: string, version: string): string => `${registryId}#${model}#${version}`;

export class ServedEndpoints implements vscode.Disposable {
  private readonly list: ServedEndpoint[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  private poll?: ReturnType<typeof setInterval>;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  private async checkHealth(): Promise<void> {
    let changed = false;
    for (const e of this.list.filter((x) => x.state === 'healthy' || x.state === 'unhealthy')) {
      const next = (await pingOnce(e.server.url, 2000, e.server.launch.healthPath)) ? 'healthy' : 'unhealthy';
      if (e.state !== 'stopped' && next !== e.state) {
        e.state = next;
        changed = true;
      }
    }
    if (changed) this.changed.fire();
  }

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
      this.log.warn(`Serving ${e.label} at ${e.server.url}: ${e.exit ?? 'stopped'}\n${e.server.logTail(8)}`);
      this.remove(e);
      // A server that was up and went away is news; one that never started is reported by Serve.
      if (e.started && e.everHealthy) {
        const showLog = vscode.l10n.t('Show Log');
        void showWarning(vscode.l10n.t('The model server of {0} at {1} stopped: {2}.', e.label, e.server.url, e.exit ?? ''), showLog).then((pick) => pick === showLog && this.log.show());
      }
    });
    this.poll ??= setInterval(() => void this.checkHealth(), HEALTH_POLL_MS);
    this.changed.fire();
  }

  /** The caller changed an endpoint's state (it turned healthy). */
  update(): void {
    for (const e of this.list) if (e.state === 'healthy') e.everHealthy = true;
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
    if (!this.list.length && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
    this.changed.fire();
  }

  dispose(): void {
    clearInterval(this.poll);
    // The window is closing: signal every server's group now (stop() sends SIGTERM at once).
    for (const e of this.list.splice(0)) {
      e.state = 'stopped';
      void (e.keepRunning && e.server.detach ? e.server.detach() : e.server.stop());
    }
    this.changed.dispose();
  }
}
