// The compute processes nvidia-smi lists and the container each runs in, read from the
// process's /proc/<pid>/cgroup. Pure parsing: the probe script (gpuProbe.ts) fetches both.

/** Where a GPU process runs, as its /proc entry says. */
export type ProcessOwner =
  | { kind: 'container'; containerId: string }
  /** Readable, and in no container: a process of the host itself. */
  | { kind: 'host' }
  /** No /proc entry: it ended between nvidia-smi's list and the read (or /proc hides it: hidepid). */
  | { kind: 'exited' }
  /** The entry exists but is not ours to read. */
  | { kind: 'denied' }
  /** Not looked up (past the probe's cap on processes). */
  | { kind: 'unknown' };

export interface GpuProcess {
  pid: number;
  /** null where nvidia-smi answers [N/A] or [Insufficient Permissions]. */
  name: string | null;
  usedMemoryMiB: number | null;
  gpuUuid: string;
  owner: ProcessOwner;
}

const MAX_LINES = 256;
const MAX_LINE = 4096;
const MAX_NAME = 256;

function field(s: string): string | null {
  const t = s.trim();
  return t === '' || t.startsWith('[') ? null : t;
}

/**
 * Lines of `--query-compute-apps=pid,process_name,used_memory,gpu_uuid` CSV without header
 * or units. The pid leads and the UUID ends each line, so a name with a comma survives.
 */
export function parseComputeApps(stdout: string): Array<Omit<GpuProcess, 'owner'>> {
  const out: Array<Omit<GpuProcess, 'owner'>> = [];
  for (const line of stdout.split(/\r?\n/, MAX_LINES)) {
    if (!line.trim() || line.length > MAX_LINE) continue;
    const f = line.split(',');
    if (f.length < 4) continue;
    const pidText = f[0].trim();
    const uuid = field(f[f.length - 1]);
    if (!/^\d{1,10}$/.test(pidText) || !uuid) continue;
    const mem = field(f[f.length - 2]);
    const used = mem === null ? null : Number(mem);
    const name = field(f.slice(1, -2).join(','));
    out.push({ pid: Number(pidText), name: name === null ? null : name.slice(0, MAX_NAME), usedMemoryMiB: used !== null && Number.isFinite(used) ? used : null, gpuUuid: uuid });
  }
  return out;
}

// cgroup v1 (cgroupfs driver): "4:memory:/docker/<id>"; cgroup v2 with the systemd driver:
// "0::/system.slice/docker-<id>.scope" (rootless: under user.slice); v2 with cgroupfs:
// "0::/docker/<id>". containerd's and CRI-O's scopes name their containers the same way.
const SCOPE = /(?:^|\/)(?:docker|cri-containerd|crio|libpod)-([0-9a-f]{64})\.scope(?:\/|$)/;
const PATH = /(?:^|\/)docker\/([0-9a-f]{64})(?:\/|$)/;

/** The container id a /proc/<pid>/cgroup names, or undefined for a process in no container. */
export function containerIdFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n', 128)) {
    if (line.length > MAX_LINE) continue;
    // hierarchy-ID:controllers:path; the path may itself hold colons.
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const path = parts.slice(2).join(':').trim();
    const m = SCOPE.exec(path) ?? PATH.exec(path);
    if (m) return m[1];
  }
  return undefined;
}
