// What every Slurm output reader shares: the field delimiter we ask for, bounded record
// splitting (a crafted or huge answer becomes a warning, never a freeze), key=value lines
// (`scontrol -o`, the jobcomp file), and Slurm's words for states, exit codes and "none".
import type { ClusterWarning, JobFields, JobState } from '../types';

/**
 * The field separator we give `sinfo -O` / `squeue -O` as each field's suffix: the ASCII
 * unit separator cannot be typed into a job name or comment, unlike `|` or a blank.
 */
export const SEP = '\x1f';

export interface Limits {
  /** Records kept; the rest are counted in a warning. */
  maxRecords: number;
  /** Longer lines are skipped with a warning (no Slurm field is this long). */
  maxLineLength: number;
}

export const DEFAULT_LIMITS: Limits = { maxRecords: 20000, maxLineLength: 16384 };

/**
 * Lines of `fields` SEP-terminated fields. Lines of another shape (an error message mixed
 * in, a truncated last line) are skipped and counted in one warning.
 */
export function splitRecords(text: string, fields: number, part: string, warnings: ClusterWarning[], limits: Limits = DEFAULT_LIMITS): string[][] {
  const out: string[][] = [];
  let bad = 0;
  let long = 0;
  let dropped = 0;
  let example = '';
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const len = end - start;
    if (len > limits.maxLineLength) long++;
    else if (len > 0) {
      const line = text.slice(start, end);
      const cells = line.split(SEP);
      // Each field ends with SEP, so a whole line splits into fields + 1 with '' last.
      if (cells.length !== fields + 1 || cells[fields] !== '') {
        bad++;
        example ||= line.slice(0, 120);
      } else if (out.length >= limits.maxRecords) dropped++;
      else out.push(cells.slice(0, fields));
    }
    start = end + 1;
  }
  if (bad) warnings.push({ part, message: `${bad} line(s) not in the expected shape were skipped, e.g. "${example}"` });
  if (long) warnings.push({ part, message: `${long} line(s) longer than ${limits.maxLineLength} characters were skipped` });
  if (dropped) warnings.push({ part, message: `only the first ${limits.maxRecords} entries are shown; ${dropped} more were left out` });
  return out;
}

/**
 * `Key=Value Key2=Value two` as `scontrol show job -o` and the jobcomp file print it.
 * Values may hold blanks (WorkDir, Comment), so a field ends only where the next
 * `Word=` begins; a value holding ` Word=` reads wrong, which is the format's limit.
 */
export function parseKeyValues(line: string, maxLength = DEFAULT_LIMITS.maxLineLength): Map<string, string> {
  const out = new Map<string, string>();
  if (line.length > maxLength) return out;
  const re = /(?:^|\s)([A-Za-z][A-Za-z0-9_/:]*)=/g;
  const keys: Array<{ key: string; at: number; valueAt: number }> = [];
  for (let m = re.exec(line); m; m = re.exec(line)) keys.push({ key: m[1], at: m.index, valueAt: m.index + m[0].length });
  keys.forEach((k, i) => {
    const end = i + 1 < keys.length ? keys[i + 1].at : line.length;
    if (!out.has(k.key)) out.set(k.key, line.slice(k.valueAt, end).trim());
  });
  return out;
}

/** Slurm's ways of saying "nothing here". */
export function present(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' || t === '(null)' || t === 'N/A' || t === 'Unknown' || t === 'None' || t === 'NONE' || t === 'n/a' ? undefined : t;
}

export function int(v: string | undefined): number | undefined {
  const t = present(v);
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}

const STATES: Record<string, JobState> = {
  PENDING: 'pending',
  CONFIGURING: 'pending',
  REQUEUED: 'pending',
  REQUEUE_HOLD: 'pending',
  REQUEUE_FED: 'pending',
  RESV_DEL_HOLD: 'pending',
  RUNNING: 'running',
  SIGNALING: 'running',
  STAGE_OUT: 'completing',
  COMPLETING: 'completing',
  COMPLETED: 'completed',
  FAILED: 'failed',
  BOOT_FAIL: 'failed',
  DEADLINE: 'failed',
  SPECIAL_EXIT: 'failed',
  REVOKED: 'cancelled',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
  OUT_OF_MEMORY: 'out-of-memory',
  NODE_FAIL: 'node-fail',
  PREEMPTED: 'preempted',
  SUSPENDED: 'suspended',
  STOPPED: 'suspended',
  RESIZING: 'running',
};

/** States of a job that has not ended: the queue (squeue) shows those, the history does not. */
export const ACTIVE_STATES: ReadonlySet<JobState> = new Set(['pending', 'running', 'completing', 'suspended']);

/** Slurm's words for the states of a job that has not ended, for the remote side's own filter. */
export const ACTIVE_STATE_WORDS: readonly string[] = Object.entries(STATES)
  .filter(([, s]) => ACTIVE_STATES.has(s))
  .map(([w]) => w);

/** `CANCELLED by 0` (sacct), `COMPLETED`, `PD` → our state. */
export function jobState(raw: string): JobState {
  const word = raw.trim().split(/[\s+]/)[0].toUpperCase();
  return STATES[word] ?? 'other';
}

/** `ExitCode=2:0` → status 2; `0:15` → killed by signal 15 (Slurm's `status:signal`). */
export function exitCode(v: string | undefined): { exitCode?: number; signal?: number } {
  const m = /^(\d+):(\d+)$/.exec(v?.trim() ?? '');
  if (!m) return {};
  const signal = Number(m[2]);
  return { exitCode: Number(m[1]), ...(signal ? { signal } : {}) };
}

/** `root(0)` → `root`. */
export function userName(v: string | undefined): string {
  return (v ?? '').replace(/\(\d+\)$/, '');
}

/**
 * The fields that `scontrol -o show job` and the completion log spell alike (but the name:
 * `JobName` there, `Name` here), from one parsed key=value line.
 */
export function commonJobFields(kv: Map<string, string>, jobId: string, nameKey: 'JobName' | 'Name'): JobFields {
  const raw = kv.get('JobState') ?? '';
  return {
    jobId,
    name: kv.get(nameKey) ?? '',
    user: userName(kv.get('UserId')),
    state: jobState(raw),
    raw,
    partition: kv.get('Partition') ?? '',
    nodeList: present(kv.get('NodeList')) ?? '',
    ...exitCode(kv.get('ExitCode')),
  };
}
