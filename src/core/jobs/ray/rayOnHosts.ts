// "Start Ray Cluster on Hosts": a Ray head in a workspace container on one host and a worker
// in a workspace container on each other host, all on the hosts' own network (Ray's nodes
// talk to each other on many ports, which port publishing cannot follow), each container
// running `ray start --block` as its main process, so stopping the container stops the node.
// The containers carry the workspace label, the owner's, and the cluster's name: Stop removes
// only those, on every host, and never a container we did not start for this cluster.
//
// The dashboard binds to the head's loopback only: it accepts jobs (that is, runs code) with
// no authentication, so it is reached through the head host's SSH connection (the cluster
// entry's `sshHost`), never from the network. The GCS port is open to the hosts' network, as
// Ray needs for its workers to join: use it on a network you trust.
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import { isMine, ownerLabels } from '../../hosts/ownership';
import { containerCreateOptions, containerName, type GpuRequest } from '../../hosts/workspaceSpec';
import { PlanError } from '../resources';

export const RAY_CLUSTER_LABEL = 'mlops.ray-cluster';
export const RAY_ROLE_LABEL = 'mlops.ray-role';

export interface RayHostNode {
  /** The host's name in the Workspaces view (`local` or an SSH host). */
  host: string;
  /** The address the other hosts reach this one at (its SSH HostName; 127.0.0.1 when all run on one machine). */
  address: string;
  gpus: GpuRequest;
  /** More `ray start` options for this node only (after the request's own). */
  startOptions?: string[];
}

export interface RayOnHostsRequest {
  /** The cluster's name (Jobs view, container names, our label). */
  name: string;
  /** An image with Ray in it (`rayproject/ray:2.60.0-gpu`), present on every host or pullable there. */
  image: string;
  head: RayHostNode;
  workers: RayHostNode[];
  gcsPort?: number;
  dashboardPort?: number;
  /** /dev/shm for Ray's object store, in MB (Docker's 64 MB default is too small). */
  shmMb?: number;
  /** More `ray start` options for every node (`--num-cpus=8`, `--object-store-memory=…`): see parseStartOptions. */
  startOptions?: string[];
}

export interface RayContainerSpec {
  host: string;
  role: 'head' | 'worker';
  /** `ray start …` as the container's command. */
  argv: string[];
  create: ContainerCreateOptions;
}

export interface RayOnHostsPlan {
  nodes: RayContainerSpec[];
  /** The `mlops.clusters` entry that lists it in the Jobs view. */
  setting: { name: string; type: 'ray'; address: string; sshHost?: string };
}

// The options the plan sets itself: given again, they would contradict it (which Ray settles
// by taking the last, silently) or change what Stop and the Jobs view rely on.
const OWN_OPTIONS = new Set(['--head', '--address', '--port', '--block', '--node-ip-address', '--dashboard-host', '--dashboard-port', '--disable-usage-stats']);

/**
 * `ray start` options as typed (`--num-cpus=8 --resources={"disk":1}`): split at white space
 * (so no spaces inside a value), passed as they are (no shell: no single quotes or
 * backslashes, which a shell would strip). Each starts with `--`, or is the value of the
 * option before it (`--num-cpus 8`); the options the plan sets itself are refused.
 */
export function parseStartOptions(text: string): string[] {
  if (text.length > 4000) throw new PlanError('the ray start options are too long (4,000 characters at most)');
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length > 64) throw new PlanError('too many ray start options (64 at most)');
  words.forEach((w, i) => {
    // Double quotes stay: JSON values (`--resources={"disk":1}`) need them, and arrive as typed.
    if (/['\\]/.test(w)) throw new PlanError(`ray start option ${w}: no shell quoting (the options reach ray start as typed, not through a shell)`);
    if (!w.startsWith('--') && (i === 0 || !words[i - 1].startsWith('--') || words[i - 1].includes('='))) throw new PlanError(`"${w}" is not a ray start option (they start with --)`);
    const opt = w.split('=')[0];
    if (OWN_OPTIONS.has(opt)) throw new PlanError(`${opt} is set by the cluster's plan itself; leave it out`);
  });
  return words;
}

const ADDRESS = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:]+\]?$/;
const port = (p: number | undefined, d: number, what: string): number => {
  const v = p ?? d;
  if (!Number.isInteger(v) || v < 1024 || v > 65535) throw new PlanError(`${what} ${v} is not a port from 1024 to 65535`);
  return v;
};

/** The containers to create and the cluster entry to add; checks every input first. */
export function rayOnHostsPlan(r: RayOnHostsRequest, owner: string): RayOnHostsPlan {
  const name = containerName(r.name);
  if (!r.image.trim()) throw new PlanError('choose an image with Ray in it (rayproject/ray:2.60.0-gpu)');
  const gcs = port(r.gcsPort, 6379, 'the GCS port');
  const dash = port(r.dashboardPort, 8265, 'the dashboard port');
  if (gcs === dash) throw new PlanError('the GCS and dashboard ports must differ');
  const all = [r.head, ...r.workers];
  for (const n of all) if (!ADDRESS.test(n.address)) throw new PlanError(`"${n.address}" is not a host name or IP address for ${n.host}`);
  const hosts = all.map((n) => n.host);
  if (new Set(hosts).size !== hosts.length) throw new PlanError('one node per host: a host is listed twice');
  const labels = (role: 'head' | 'worker') => ({ ...ownerLabels(owner), [RAY_CLUSTER_LABEL]: name, [RAY_ROLE_LABEL]: role });
  const spec = (n: RayHostNode, role: 'head' | 'worker', argv: string[], cname: string): RayContainerSpec => {
    const create = containerCreateOptions({ name: cname, image: r.image.trim(), gpus: n.gpus, shmMb: r.shmMb ?? 2048, ports: [], command: argv }, labels(role));
    create.HostConfig = { ...create.HostConfig, NetworkMode: 'host' };
    return { host: n.host, role, argv, create };
  };
  const common = ['--block', '--disable-usage-stats'];
  // Checked again here: a request may come from elsewhere than the input box.
  const extra = (n: RayHostNode) => [...parseStartOptions((r.startOptions ?? []).join(' ')), ...parseStartOptions((n.startOptions ?? []).join(' '))];
  const head = spec(r.head, 'head', ['ray', 'start', '--head', ...common, `--node-ip-address=${r.head.address}`, `--port=${gcs}`, '--dashboard-host=127.0.0.1', `--dashboard-port=${dash}`, ...extra(r.head)], `ray-${name}-head`);
  const workers = r.workers.map((w, i) => spec(w, 'worker', ['ray', 'start', ...common, `--address=${r.head.address}:${gcs}`, `--node-ip-address=${w.address}`, ...extra(w)], `ray-${name}-worker-${i + 1}`));
  return {
    nodes: [head, ...workers],
    setting: { name: r.name.trim(), type: 'ray', address: `http://127.0.0.1:${dash}`, ...(r.head.host !== 'local' ? { sshHost: r.head.host } : {}) },
  };
}

/** Creates and starts the containers, head first; a failure removes what this call made, then throws. */
export async function startRayOnHosts(plan: RayOnHostsPlan, engine: (host: string) => Docker, onStep: (text: string) => void = () => undefined): Promise<string[]> {
  const made: Array<{ host: string; id: string }> = [];
  try {
    for (const n of plan.nodes) {
      onStep(`${n.role} on ${n.host}`);
      const c = await engine(n.host).createContainer(n.create);
      made.push({ host: n.host, id: c.id });
      await c.start();
    }
  } catch (err) {
    for (const m of made.reverse()) await engine(m.host).getContainer(m.id).remove({ force: true }).catch(() => undefined);
    throw err;
  }
  return made.map((m) => m.id);
}

export interface RayHostContainer {
  host: string;
  id: string;
  name: string;
  role: string;
  state: string;
}

/** The containers of cluster `name` that `owner` started, on each host (others' are never listed). */
export async function rayClusterContainers(name: string, hosts: readonly string[], engine: (host: string) => Docker, owner: string): Promise<RayHostContainer[]> {
  const out: RayHostContainer[] = [];
  for (const host of hosts) {
    const list = await engine(host).listContainers({ all: true, filters: { label: [`${RAY_CLUSTER_LABEL}=${containerName(name)}`] } });
    for (const c of list) {
      if (!isMine({ labels: c.Labels }, owner)) continue;
      out.push({ host, id: c.Id, name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), role: c.Labels?.[RAY_ROLE_LABEL] ?? '', state: c.State ?? '' });
    }
  }
  return out;
}

/** Stops and removes them, workers first (the head last, so workers do not wait on a gone head). */
export async function stopRayOnHosts(containers: readonly RayHostContainer[], engine: (host: string) => Docker): Promise<void> {
  const order = [...containers].sort((a, b) => Number(a.role === 'head') - Number(b.role === 'head'));
  for (const c of order) await engine(c.host).getContainer(c.id).remove({ force: true });
}
