// *Start Ray Cluster on Hosts…* and *Stop Ray Cluster on Hosts…*: a Ray head in a workspace
// container on one host of the Workspaces view, a worker on each other chosen host
// (core/jobs/ray/rayOnHosts.ts), then, when the user agrees, a `type: "ray"` entry in
// MLOps › Clusters so the Jobs view lists it. The hosts of each cluster started here are
// remembered (global state) so Stop finds its containers; Stop removes only containers with
// our cluster label and the user's owner label, after a confirmation that lists them.
import * as vscode from 'vscode';
import { parseStartOptions, rayClusterContainers, rayOnHostsPlan, startRayOnHosts, stopRayOnHosts, type RayHostNode } from '../../core/jobs/ray/rayOnHosts';
import type { GpuRequest } from '../../core/hosts/workspaceSpec';
import { showInfo, showWarning } from '../notify';
import { setting, updateSetting } from '../settings';
import { requireTrust } from '../trust';
import { currentUser } from '../workspaces/identity';
import type { HostEntry, HostRegistry } from '../workspaces/hosts';

const KEY = 'mlops.rayOnHosts';
interface Started {
  name: string;
  hosts: string[];
}

function gpusOf(text: string): GpuRequest {
  const t = text.trim().toLowerCase();
  if (t === 'all') return 'all';
  if (t === '' || t === 'none' || t === '0') return 'none';
  return { count: Number(t) };
}

export class RayOnHosts {
  constructor(
    private readonly registry: HostRegistry,
    private readonly memento: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private started(): Started[] {
    const v = this.memento.get<unknown>(KEY);
    return Array.isArray(v) ? (v as Started[]).filter((s) => s && typeof s.name === 'string' && Array.isArray(s.hosts)) : [];
  }

  private engine(hosts: readonly HostEntry[]) {
    return (name: string) => {
      const h = hosts.find((x) => x.name === name);
      if (!h) throw new Error(vscode.l10n.t('Host {0} is gone from the Workspaces view.', name));
      return this.registry.connection(h).docker({ timeoutMs: 120000 });
    };
  }

  /** Asks hosts, name, image, GPUs; confirms; starts; offers the cluster entry. The cluster's name, or undefined. */
  async start(): Promise<string | undefined> {
    requireTrust(vscode.l10n.t('Starting a Ray cluster'));
    const hosts = await this.registry.hosts();
    const title = vscode.l10n.t('Start Ray Cluster on Hosts');
    const head = await vscode.window.showQuickPick(hosts.map((h) => ({ label: h.name, description: h.address, h })), { title, placeHolder: vscode.l10n.t('Host of the Ray head (its dashboard is reached through this host)') });
    if (!head) return undefined;
    const others = hosts.filter((h) => h !== head.h);
    const workers = others.length
      ? await vscode.window.showQuickPick(others.map((h) => ({ label: h.name, description: h.address, h })), { title, canPickMany: true, placeHolder: vscode.l10n.t('Hosts that join as workers (none: a one-node cluster)') })
      : [];
    if (!workers) return undefined;
    const name = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('Name of the cluster (Jobs view, container names)'), value: 'ray-hosts', ignoreFocusOut: true, validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v.trim()) ? undefined : vscode.l10n.t('Letters, digits, _ . -')) });
    if (!name) return undefined;
    const image = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('Image with Ray in it, on every host (the same Ray version everywhere)'), value: 'rayproject/ray:2.60.0-gpu', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Type an image.')) });
    if (!image) return undefined;
    const gpus = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('GPUs of each node: all, none, or a count'), value: 'all', ignoreFocusOut: true, validateInput: (v) => (/^(all|none|\d+)?$/i.test(v.trim()) ? undefined : vscode.l10n.t('all, none or a count')) });
    if (gpus === undefined) return undefined;
    const optionsError = (v: string) => {
      try {
        parseStartOptions(v);
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    };
    const options = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('More ray start options for every node, optional (--num-cpus=8 --object-store-memory=2000000000); no spaces inside a value'), value: '', ignoreFocusOut: true, validateInput: optionsError });
    if (options === undefined) return undefined;
    // The address the other hosts reach a node at: its SSH HostName; this machine's is asked when others join it.
    const node = async (h: HostEntry): Promise<RayHostNode | undefined> => {
      let address = h.ssh?.hostName;
      if (!address) address = workers.length ? await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('Address of {0} as the other hosts reach it', h.name), ignoreFocusOut: true }) : '127.0.0.1';
      return address ? { host: h.name, address: address.trim(), gpus: gpusOf(gpus) } : undefined;
    };
    const headNode = await node(head.h);
    if (!headNode) return undefined;
    const workerNodes: RayHostNode[] = [];
    for (const w of workers) {
      const n = await node(w.h);
      if (!n) return undefined;
      workerNodes.push(n);
    }
    const plan = rayOnHostsPlan({ name: name.trim(), image: image.trim(), head: headNode, workers: workerNodes, startOptions: parseStartOptions(options) }, currentUser());
    const yes = vscode.l10n.t('Start');
    const summary = plan.nodes.map((n) => `${n.create.name} on ${n.host}: ${n.argv.join(' ')}`).join('\n');
    if ((await showInfo(vscode.l10n.t('start Ray cluster {0}?', name), { modal: true, detail: vscode.l10n.t('{0}\n\nContainers on the hosts\' network. The GCS port is open to that network (Ray\'s workers join through it); the dashboard stays on the head\'s loopback.', summary) }, yes)) !== yes) return undefined;
    const chosen = [head.h, ...workers.map((w) => w.h)];
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting Ray cluster {0}…', name) }, (p) => startRayOnHosts(plan, this.engine(chosen), (step) => p.report({ message: step })));
    await this.memento.update(KEY, [...this.started().filter((s) => s.name !== plan.setting.name), { name: plan.setting.name, hosts: chosen.map((h) => h.name) }]);
    this.log.info(`Jobs: Ray cluster ${plan.setting.name} started: ${summary.replace(/\n/g, '; ')}`);
    const clusters = setting('clusters');
    const listed = clusters.some((c) => (c as { name?: unknown } | null)?.name === plan.setting.name);
    const add = vscode.l10n.t('Add to MLOps › Clusters');
    if (!listed && (await showInfo(vscode.l10n.t('Ray cluster {0} is starting on {1}. Add it to the Jobs view (a cluster entry in your settings)?', plan.setting.name, chosen.map((h) => h.name).join(', ')), add)) === add) {
      await updateSetting('clusters', [...clusters, plan.setting]);
    }
    return plan.setting.name;
  }

  /** Removes the containers of a cluster started here (ours only), after listing them; offers to drop its entry. */
  async stop(arg?: unknown): Promise<number | undefined> {
    const known = this.started();
    const named = typeof arg === 'string' ? arg : (arg as { name?: unknown } | undefined)?.name;
    let which = known.find((s) => s.name === named);
    if (!which) {
      if (!known.length) {
        void showInfo(vscode.l10n.t('no Ray cluster was started on hosts from here.'));
        return undefined;
      }
      which = (await vscode.window.showQuickPick(known.map((s) => ({ label: s.name, description: s.hosts.join(', '), s })), { placeHolder: vscode.l10n.t('Ray cluster to stop') }))?.s;
    }
    if (!which) return undefined;
    const hosts = (await this.registry.hosts()).filter((h) => which.hosts.includes(h.name));
    const engine = this.engine(hosts);
    const containers = await rayClusterContainers(which.name, hosts.map((h) => h.name), engine, currentUser());
    if (!containers.length) {
      void showWarning(vscode.l10n.t('no containers of Ray cluster {0} (of yours) are left on {1}.', which.name, which.hosts.join(', ')));
    } else {
      const yes = vscode.l10n.t('Stop and Remove');
      const list = containers.map((c) => `${c.name} (${c.role}) on ${c.host}`).join('\n');
      if ((await showWarning(vscode.l10n.t('stop Ray cluster {0}? Its jobs end with it.', which.name), { modal: true, detail: list }, yes)) !== yes) return undefined;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping Ray cluster {0}…', which.name) }, () => stopRayOnHosts(containers, engine));
      this.log.info(`Jobs: Ray cluster ${which.name} stopped: ${list.replace(/\n/g, '; ')}`);
    }
    await this.memento.update(KEY, this.started().filter((s) => s.name !== which.name));
    const clusters = setting('clusters');
    const remove = vscode.l10n.t('Remove from MLOps › Clusters');
    if (clusters.some((c) => (c as { name?: unknown } | null)?.name === which.name) && (await showInfo(vscode.l10n.t('Ray cluster {0} is stopped. Remove its entry from the Jobs view?', which.name), remove)) === remove) {
      await updateSetting('clusters', clusters.filter((c) => (c as { name?: unknown } | null)?.name !== which.name));
    }
    return containers.length;
  }
}
