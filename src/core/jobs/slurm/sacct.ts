// Finished jobs from accounting (`sacct`, where slurmdbd runs): a row per job and one per
// step (`123.batch`, `123.0`, `123.extern`). A job's row has its state, exit code and
// times; its memory figure (MaxRSS) is only on the steps, so the steps fold into their job.
import type { ClusterWarning, JobRecord } from '../types';
import { isOurComment } from './batchScript';
import { ACTIVE_STATES, exitCode, jobState, present, SEP, splitRecords, type Limits } from './fields';

const FIELDS = ['JobID', 'JobIDRaw', 'JobName', 'User', 'State', 'ExitCode', 'ElapsedRaw', 'Submit', 'Start', 'End', 'MaxRSS', 'Partition', 'NodeList', 'AllocTRES', 'WorkDir', 'Comment'] as const;

/** How far back the history reaches. */
export const SACCT_WINDOW = 'now-7days';

/**
 * sacct's options after the user selection (`-u me` or `-a`). `-p` rather than `-P`: each
 * field, the last too, ends with the delimiter, so a line cut short is seen as such. The
 * delimiter is the unit separator, which a job name or comment cannot hold (`|` can).
 */
export const SACCT_OPTIONS = ['-p', '-n', `--delimiter=${SEP}`, '-S', SACCT_WINDOW, '-o', FIELDS.join(',')] as const;

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/** sacct's sizes (`66076K`, `1.50G`, `512`: bytes without a suffix) in bytes; undefined when empty or unreadable. */
export function parseSacctSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGTP]?)$/.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNITS[m[2]]) : undefined;
}

/** A job's step rows in an answer: how many, and how many have not ended (no End yet, or a running state). */
export interface StepCount {
  steps: number;
  open: number;
}

/**
 * The rows as jobs, newest last (sacct's order), with each job's MaxRSS the largest of its
 * steps'. `limit` keeps the last that many jobs. A step whose job row is missing (cut off at
 * the front of the answer) is dropped. `steps`, when given, gets each job's step rows
 * counted (by JobIDRaw): a job whose steps have all ended has its final figures.
 */
export function parseSacct(text: string, warnings: ClusterWarning[], limit = Infinity, limits?: Limits, steps?: Map<string, StepCount>): JobRecord[] {
  const byId = new Map<string, JobRecord>();
  const out: JobRecord[] = [];
  for (const row of splitRecords(text, FIELDS.length, 'history', warnings, limits)) {
    const [id, raw, name, user, state, exit, elapsed, submit, start, end, maxRss, partition, nodeList, tres, workDir, comment] = row;
    const dot = id.indexOf('.');
    if (dot >= 0) {
      const job = byId.get(id.slice(0, dot));
      const rss = parseSacctSize(maxRss);
      if (job && rss !== undefined && rss > (job.maxRssBytes ?? -1)) job.maxRssBytes = rss;
      if (job && steps) {
        const c = steps.get(job.jobId) ?? { steps: 0, open: 0 };
        c.steps++;
        if (present(end) === undefined || ACTIVE_STATES.has(jobState(state))) c.open++;
        steps.set(job.jobId, c);
      }
      continue;
    }
    const words = state.trim();
    const r: JobRecord = {
      jobId: raw.trim(),
      name,
      user: user.trim(),
      state: jobState(words),
      raw: words,
      partition: partition.trim(),
      nodeList: present(nodeList) ?? '',
      ...exitCode(exit),
      source: 'sacct',
      ours: isOurComment(present(comment)),
    };
    const task = /^(\d+)_(\d+)$/.exec(id.trim());
    if (task) [r.arrayJobId, r.arrayTaskId] = [task[1], task[2]];
    const set = <K extends keyof JobRecord>(k: K, v: JobRecord[K] | undefined) => v !== undefined && (r[k] = v);
    set('elapsedSec', /^\d+$/.test(elapsed.trim()) ? Number(elapsed) : undefined);
    set('submitTime', present(submit));
    set('startTime', present(start));
    set('endTime', present(end));
    set('workDir', present(workDir));
    set('tres', present(tres));
    set('maxRssBytes', parseSacctSize(maxRss));
    byId.set(id.trim(), r);
    out.push(r);
  }
  return out.length > limit ? out.slice(out.length - limit) : out;
}
