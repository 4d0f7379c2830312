// Finished jobs from the completion log (JobCompType=jobcomp/filetxt): one key=value line
// per job, written by slurmctld as each ends. The history of clusters without accounting
// (no slurmdbd, so no sacct); it has exit codes and times but no memory figures.
import { parseSlurmDuration } from '../resources';
import type { ClusterWarning, JobRecord } from '../types';
import { commonJobFields, DEFAULT_LIMITS, parseKeyValues, present, type Limits } from './fields';

function seconds(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t / 1000;
}

export function parseJobcomp(text: string, warnings: ClusterWarning[], limits: Limits = DEFAULT_LIMITS): JobRecord[] {
  const out: JobRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.length > limits.maxLineLength) {
      skipped++;
      continue;
    }
    const kv = parseKeyValues(line, limits.maxLineLength);
    const jobId = present(kv.get('JobId'));
    if (!jobId) {
      skipped++;
      continue;
    }
    const start = present(kv.get('StartTime'));
    const end = present(kv.get('EndTime'));
    const s = seconds(start);
    const e = seconds(end);
    const limit = parseSlurmDuration(kv.get('TimeLimit') ?? '');
    const r: JobRecord = { ...commonJobFields(kv, jobId, 'Name'), source: 'jobcomp' };
    const arrayJob = present(kv.get('ArrayJobId'));
    const task = present(kv.get('ArrayTaskId'));
    if (arrayJob !== undefined && task !== undefined && task !== '4294967294') [r.arrayJobId, r.arrayTaskId] = [arrayJob, task];
    const submit = present(kv.get('SubmitTime'));
    if (submit) r.submitTime = submit;
    if (start) r.startTime = start;
    if (end) r.endTime = end;
    if (s !== undefined && e !== undefined && e >= s) r.elapsedSec = e - s;
    if (limit !== undefined) r.timeLimitSec = limit;
    const wd = present(kv.get('WorkDir'));
    if (wd) r.workDir = wd;
    out.push(r);
  }
  if (skipped) warnings.push({ part: 'history', message: `${skipped} line(s) of the completion log were not read` });
  // Newest last, as written; keep only the tail when there are more than asked.
  return out.length > limits.maxRecords ? out.slice(out.length - limits.maxRecords) : out;
}
