// GPU inventory and who holds each GPU, in ONE remote command per refresh: nvidia-smi's
// CSV queries of the GPUs and of their compute processes, then each process's
// /proc/<pid>/cgroup (which names its container). A host without nvidia-smi (or without
// GPUs) is an ordinary answer, "no NVIDIA GPU", not an error; so are a process that ended
// between the two reads and one whose /proc entry we may not read.
import { containerIdFromCgroup, parseComputeApps, type GpuProcess, type ProcessOwner } from './gpuProcesses';

const GPU_FIELDS = 'index,uuid,name,memory.used,memory.total,utilization.gpu,temperature.gpu';
const APP_FIELDS = 'pid,process_name,used_memory,gpu_uuid';

export const NVIDIA_SMI_QUERY_ARGV: readonly string[] = ['nvidia-smi', `--query-gpu=${GPU_FIELDS}`, '--format=csv,noheader,nounits'];
export const NVIDIA_SMI_APPS_ARGV: readonly string[] = ['nvidia-smi', `--query-compute-apps=${APP_FIELDS}`, '--format=csv,noheader,nounits'];

/** Caps on what the remote side prints: a GPU server has ≤ 16 GPUs, and a few hundred processes at most. */
export const MAX_GPU_LINES = 64;
export const MAX_APP_LINES = 256;
const MAX_CGROUP_LINES = 64;
const MARK = '@@mlops-gpu';

/**
 * The one POSIX sh script of a refresh. Sections start with a marker line carrying the
 * step's exit status; the cgroup step prints, per distinct pid, `pid N` + the file,
 * `denied N` (the entry exists but is not ours to read) or `gone N` (exited, or hidden).
 */
export const GPU_PROBE_SCRIPT = [
  `M=${MARK}`,
  'command -v nvidia-smi >/dev/null 2>&1 || { echo "$M gpus 127"; exit 0; }',
  `g=$(${NVIDIA_SMI_QUERY_ARGV.join(' ')} 2>&1); s=$?`,
  `echo "$M gpus $s"; printf '%s\\n' "$g" | head -n ${MAX_GPU_LINES}`,
  '[ "$s" -eq 0 ] || exit 0',
  `a=$(${NVIDIA_SMI_APPS_ARGV.join(' ')} 2>&1); s=$?`,
  `echo "$M apps $s"; printf '%s\\n' "$a" | head -n ${MAX_APP_LINES}`,
  '[ "$s" -eq 0 ] || exit 0',
  'echo "$M cgroups 0"',
  `printf '%s\\n' "$a" | head -n ${MAX_APP_LINES} | { seen=' '; while IFS=, read -r p _; do`,
  '  case $p in ""|*[!0-9]*) continue;; esac',
  '  case $seen in *" $p "*) continue;; esac',
  '  seen="$seen$p "',
  `  if [ -r /proc/$p/cgroup ]; then echo "$M pid $p"; head -n ${MAX_CGROUP_LINES} /proc/$p/cgroup 2>/dev/null`,
  '  elif [ -e /proc/$p ]; then echo "$M denied $p"; else echo "$M gone $p"; fi',
  'done; }',
].join('\n');

export const GPU_PROBE_ARGV: readonly string[] = ['sh', '-c', GPU_PROBE_SCRIPT];

export interface GpuInfo {
  index: number;
  /** "GPU-…"; null where the driver does not say (then no process can be matched to it). */
  uuid: string | null;
  name: string;
  /** MiB; null where the driver answers [N/A] or [Not Supported]. */
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  utilizationPct: number | null;
  temperatureC: number | null;
}

export type GpuProbeResult =
  | {
      kind: 'gpus';
      gpus: GpuInfo[];
      /** The compute processes, each with where it runs; empty when none. */
      processes: GpuProcess[];
      /** Why the processes are not known (nvidia-smi's own words); the GPUs still are. */
      processProblem?: string;
    }
  | { kind: 'none'; reason: string; detail?: string }
  | { kind: 'error'; message: string };

export interface ExecOutcome {
  /** Exit status; null when the process ended on a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export function num(field: string | undefined): number | null {
  const s = (field ?? '').trim();
  if (s === '' || s.startsWith('[')) return null; // [N/A], [Not Supported], [Unknown Error]
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

const MAX_LINE = 4096;

/** Lines of `--query-gpu=index,uuid,name,…` CSV; a name with a comma in it survives (the numbers are at the end). */
export function parseNvidiaSmiCsv(stdout: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of stdout.split(/\r?\n/, MAX_GPU_LINES)) {
    if (!line.trim() || line.length > MAX_LINE) continue;
    const f = line.split(',');
    if (f.length < 7) continue;
    const index = Number(f[0].trim());
    if (!Number.isInteger(index) || f[0].trim() === '') continue;
    const uuid = f[1].trim();
    const tail = f.slice(-4);
    gpus.push({
      index,
      uuid: uuid && !uuid.startsWith('[') ? uuid : null,
      name: f.slice(2, -4).join(',').trim(),
      memoryUsedMiB: num(tail[0]),
      memoryTotalMiB: num(tail[1]),
      utilizationPct: num(tail[2]),
      temperatureC: num(tail[3]),
    });
  }
  return gpus;
}

const NOT_FOUND = /command not found|not found|No such file or directory|is not recognized/i;
const NO_NVIDIA_SMI = 'nvidia-smi is not installed on this host, or not on the PATH of its login shell';

/** Turns the outcome of running NVIDIA_SMI_QUERY_ARGV into the GPUs (no processes: that query did not ask). */
export function interpretGpuProbe(out: ExecOutcome): GpuProbeResult {
  const text = `${out.stdout}\n${out.stderr}`;
  if (out.code === 127 || (out.code !== 0 && NOT_FOUND.test(out.stderr))) return { kind: 'none', reason: 'no NVIDIA GPU', detail: NO_NVIDIA_SMI };
  if (/No devices were found/i.test(text)) return { kind: 'none', reason: 'no NVIDIA GPU', detail: 'nvidia-smi found no device' };
  if (out.code !== 0) {
    const first = text.split('\n').map((l) => l.trim()).find(Boolean) ?? `exit status ${out.code}`;
    // e.g. "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
    return { kind: 'error', message: `nvidia-smi failed: ${first}` };
  }
  const gpus = parseNvidiaSmiCsv(out.stdout);
  return gpus.length ? { kind: 'gpus', gpus, processes: [] } : { kind: 'none', reason: 'no NVIDIA GPU', detail: 'nvidia-smi listed no GPU' };
}

interface Sections {
  gpus?: { code: number; lines: string[] };
  apps?: { code: number; lines: string[] };
  owners: Map<number, ProcessOwner>;
}

/** Splits the script's output at its marker lines; anything before the first marker is a login script's noise. */
function sections(stdout: string): Sections {
  const out: Sections = { owners: new Map() };
  let into: string[] | undefined;
  let pid: number | undefined;
  let cgroup: string[] = [];
  const closePid = () => {
    // An entry that vanished between the test and the read printed nothing: it exited.
    if (pid !== undefined) out.owners.set(pid, cgroup.length ? ownerFromCgroup(cgroup) : { kind: 'exited' });
    pid = undefined;
    cgroup = [];
  };
  const lines = stdout.split(/\r?\n/);
  // Bounded: the script caps every section; this caps a misbehaving shell too.
  for (const line of lines.slice(0, MAX_GPU_LINES + MAX_APP_LINES * (MAX_CGROUP_LINES + 1) + 8)) {
    if (line.startsWith(`${MARK} `)) {
      const [, what, arg] = line.split(' ');
      const n = Number(arg);
      closePid();
      into = undefined;
      if (what === 'gpus' || what === 'apps') into = (out[what] = { code: n, lines: [] }).lines;
      else if (what === 'pid') pid = n;
      else if (what === 'denied') out.owners.set(n, { kind: 'denied' });
      else if (what === 'gone') out.owners.set(n, { kind: 'exited' });
      continue;
    }
    if (pid !== undefined) {
      if (line.trim()) cgroup.push(line);
    } else into?.push(line);
  }
  closePid();
  return out;
}

function ownerFromCgroup(lines: string[]): ProcessOwner {
  const id = containerIdFromCgroup(lines.join('\n'));
  return id ? { kind: 'container', containerId: id } : { kind: 'host' };
}

/** Turns the outcome of GPU_PROBE_ARGV into the GPUs and the processes on them. */
export function interpretGpuProbeScript(out: ExecOutcome): GpuProbeResult {
  const s = sections(out.stdout);
  if (!s.gpus) {
    // The script itself did not run (no sh, or the shell failed): say what the shell said.
    const first = `${out.stderr}\n${out.stdout}`.split('\n').map((l) => l.trim()).find(Boolean) ?? `exit status ${out.code}`;
    return { kind: 'error', message: `GPU probe failed: ${first}` };
  }
  const gpuText = s.gpus.lines.join('\n');
  const r = interpretGpuProbe({ code: s.gpus.code, stdout: gpuText, stderr: s.gpus.code === 0 ? '' : gpuText });
  if (r.kind !== 'gpus') return r;
  if (!s.apps) return { ...r, processProblem: 'nvidia-smi did not list processes' };
  if (s.apps.code !== 0) {
    const first = s.apps.lines.map((l) => l.trim()).find(Boolean) ?? `exit status ${s.apps.code}`;
    return { ...r, processProblem: `nvidia-smi could not list processes: ${first}` };
  }
  const processes = parseComputeApps(s.apps.lines.join('\n')).map((p) => ({ ...p, owner: s.owners.get(p.pid) ?? ({ kind: 'unknown' } as const) }));
  return { ...r, processes };
}

export type { GpuProcess, ProcessOwner };
