// One job in full from `scontrol show job -o` (one line per job or array task): its
// exit code, log paths and owner, which squeue does not print.
import { parseElapsed, parseSlurmDuration } from '../resources';
import type { ClusterJob, ClusterWarning } from '../types';
import { isOurComment } from './batchScript';
import { commonJobFields, DEFAULT_LIMITS, int, parseKeyValues, present, type Limits } from './fields';

export function scontrolJobArgv(jobId: string): string[] {
  return ['scontrol', '-o', 'show', 'job', jobId];
}

/** One `scontrol -o` line as a job; undefined when the line is not a job. */
export function jobFromScontrol(kv: Map<string, string>): ClusterJob | undefined {
  const jobId = present(kv.get('JobId'));
  if (!jobId) return undefined;
  const task = present(kv.get('ArrayTaskId'));
  const arrayJob = task !== undefined ? present(kv.get('ArrayJobId')) : undefined;
  const job: ClusterJob = {
    // squeue's spelling: `12_0` for a task, `12_[1-2%1]` for the pending rest of an array.
    id: arrayJob !== undefined && task !== undefined ? `${arrayJob}_${/^\d+$/.test(task) ? task : `[${task}]`}` : jobId,
    ...commonJobFields(kv, jobId, 'JobName'),
    ours: isOurComment(present(kv.get('Comment'))),
  };
  if (arrayJob !== undefined) job.arrayJobId = arrayJob;
  if (task !== undefined) job.arrayTaskId = task;
  const set = <K extends keyof ClusterJob>(k: K, v: ClusterJob[K] | undefined) => v !== undefined && (job[k] = v);
  set('reason', present(kv.get('Reason')));
  set('nodeCount', int(kv.get('NumNodes')));
  set('cpus', int(kv.get('NumCPUs')));
  set('gpus', present(kv.get('TresPerNode')));
  set('elapsedSec', parseElapsed(kv.get('RunTime') ?? ''));
  const limit = parseSlurmDuration(kv.get('TimeLimit') ?? '');
  if (limit !== undefined) job.timeLimitSec = limit;
  set('submitTime', present(kv.get('SubmitTime')));
  set('startTime', present(kv.get('StartTime')));
  set('endTime', present(kv.get('EndTime')));
  set('workDir', present(kv.get('WorkDir')));
  set('stdoutPath', present(kv.get('StdOut')));
  set('stderrPath', present(kv.get('StdErr')));
  set('account', present(kv.get('Account')));
  set('qos', present(kv.get('QOS')));
  return job;
}

export function parseScontrolJobs(text: string, warnings: ClusterWarning[], limits: Limits = DEFAULT_LIMITS): ClusterJob[] {
  const jobs: ClusterJob[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (jobs.length >= limits.maxRecords || line.length > limits.maxLineLength) {
      skipped++;
      continue;
    }
    const j = jobFromScontrol(parseKeyValues(line, limits.maxLineLength));
    if (j) jobs.push(j);
    else skipped++;
  }
  if (skipped) warnings.push({ part: 'job', message: `${skipped} line(s) of scontrol's answer were not read` });
  return jobs;
}
