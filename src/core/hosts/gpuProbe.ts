// GPU inventory from nvidia-smi's CSV query. A host without nvidia-smi (or without GPUs)
// is an ordinary answer, "no NVIDIA GPU", not an error.

export const NVIDIA_SMI_QUERY_ARGV: readonly string[] = [
  'nvidia-smi',
  '--query-gpu=index,name,memory.used,memory.total,utilization.gpu,temperature.gpu',
  '--format=csv,noheader,nounits',
];

export interface GpuInfo {
  index: number;
  name: string;
  /** MiB; null where the driver answers [N/A] or [Not Supported]. */
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  utilizationPct: number | null;
  temperatureC: number | null;
}

export type GpuProbeResult =
  | { kind: 'gpus'; gpus: GpuInfo[] }
  | { kind: 'none'; reason: string }
  | { kind: 'error'; message: string };

export interface ExecOutcome {
  /** Exit status; null when the process ended on a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

function num(field: string | undefined): number | null {
  const s = (field ?? '').trim();
  if (s === '' || s.startsWith('[')) return null; // [N/A], [Not Supported], [Unknown Error]
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Rows of `--format=csv,noheader,nounits`; a name with a comma in it survives (the numbers are at the ends). */
export function parseNvidiaSmiCsv(stdout: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const f = line.split(',');
    if (f.length < 6) continue;
    const index = Number(f[0].trim());
    if (!Number.isInteger(index)) continue;
    const tail = f.slice(-4);
    gpus.push({
      index,
      name: f.slice(1, -4).join(',').trim(),
      memoryUsedMiB: num(tail[0]),
      memoryTotalMiB: num(tail[1]),
      utilizationPct: num(tail[2]),
      temperatureC: num(tail[3]),
    });
  }
  return gpus;
}

const NOT_FOUND = /command not found|not found|No such file or directory|is not recognized/i;

/** Turns the outcome of running NVIDIA_SMI_QUERY_ARGV into what the Workspaces view shows. */
export function interpretGpuProbe(out: ExecOutcome): GpuProbeResult {
  const text = `${out.stdout}\n${out.stderr}`;
  if (out.code === 127 || (out.code !== 0 && NOT_FOUND.test(out.stderr))) return { kind: 'none', reason: 'no NVIDIA GPU' };
  if (/No devices were found/i.test(text)) return { kind: 'none', reason: 'no NVIDIA GPU' };
  if (out.code !== 0) {
    const first = text.split('\n').map((l) => l.trim()).find(Boolean) ?? `exit status ${out.code}`;
    // e.g. "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
    return { kind: 'error', message: `nvidia-smi failed: ${first}` };
  }
  const gpus = parseNvidiaSmiCsv(out.stdout);
  return gpus.length ? { kind: 'gpus', gpus } : { kind: 'none', reason: 'no NVIDIA GPU' };
}
