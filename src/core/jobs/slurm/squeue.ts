// Jobs from `squeue -O` with our delimiter: the queue, plus the jobs that ended within
// MinJobAge (`--states=all`), which is how a job is seen finishing on a cluster without
// accounting.
import { parseElapsed, parseSlurmDuration } from '../resources';
import type { ClusterJob, ClusterWarning } from '../types';
import { isOurComment } from './batchScript';
import { int, jobState, present, SEP, splitRecords, type Limits } from './fields';

const FIELDS = [
  'JobArrayID',
  'JobID',
  'ArrayJobID',
  'ArrayTaskID',
  'Name',
  'UserName',
  'State',
  'Reason',
  'Partition',
  'NumNodes',
  'NodeList',
  'TimeUsed',
  'TimeLimit',
  'tres-per-node',
  'Comment',
  'SubmitTime',
  'StartTime',
  'EndTime',
  'NumCPUs',
  'WorkDir',
  'StdOut',
  'StdErr',
  'Account',
  'QOS',
] as const;

/** argv of the squeue we parse; `user` limits it to one user's jobs. */
export function squeueArgv(user?: string): string[] {
  return ['squeue', '-h', '-a', '--states=all', ...(user ? ['-u', user] : []), '-O', FIELDS.map((f) => `${f}:${SEP}`).join(',')];
}

/** The same format for the batched snapshot, where the user is `$USER` there. */
export const SQUEUE_FORMAT = FIELDS.map((f) => `${f}:${SEP}`).join(',');

/** Slurm's filename patterns in --output (squeue prints them unexpanded): `%j`, `%A_%a`, `%x`, `%u`, `%%`. */
export function expandLogPattern(pattern: string, job: { jobId: string; arrayJobId?: string; arrayTaskId?: string; name: string; user: string }): string {
  return pattern.replace(/%(\d*)([%jAaxuJ])/g, (all, _pad: string, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'j':
      case 'J':
        return job.jobId;
      case 'A':
        return job.arrayJobId ?? job.jobId;
      case 'a':
        return job.arrayTaskId ?? '4294967294';
      case 'x':
        return job.name;
      case 'u':
        return job.user;
      default:
        return all;
    }
  });
}

export function parseSqueue(text: string, warnings: ClusterWarning[], limits?: Limits): ClusterJob[] {
  return splitRecords(text, FIELDS.length, 'jobs', warnings, limits).map((r) => {
    const [id, jobId, arrayJobId, arrayTaskId, name, user, state, reason, partition, nodes, nodeList, used, limit, gres, comment, submit, start, end, cpus, workDir, out, err, account, qos] = r;
    const task = present(arrayTaskId);
    const arrayJob = task !== undefined ? present(arrayJobId) : undefined;
    const base = { jobId: jobId.trim(), arrayJobId: arrayJob, arrayTaskId: task, name, user: user.trim() };
    const timeLimit = parseSlurmDuration(limit);
    const job: ClusterJob = {
      id: id.trim(),
      jobId: base.jobId,
      name,
      user: base.user,
      state: jobState(state),
      raw: state.trim(),
      partition: partition.trim(),
      nodeList: present(nodeList) ?? '',
      ours: isOurComment(present(comment)),
    };
    if (arrayJob !== undefined) job.arrayJobId = arrayJob;
    if (task !== undefined) job.arrayTaskId = task;
    const set = <K extends keyof ClusterJob>(k: K, v: ClusterJob[K] | undefined) => v !== undefined && (job[k] = v);
    set('reason', present(reason));
    set('nodeCount', int(nodes));
    set('cpus', int(cpus));
    set('gpus', present(gres));
    set('elapsedSec', parseElapsed(used));
    if (timeLimit !== undefined) job.timeLimitSec = timeLimit;
    set('submitTime', present(submit));
    set('startTime', present(start));
    set('endTime', present(end));
    set('workDir', present(workDir));
    const o = present(out);
    const e = present(err);
    set('stdoutPath', o && expandLogPattern(o, base));
    set('stderrPath', e && expandLogPattern(e, base));
    set('account', present(account));
    set('qos', present(qos));
    return job;
  });
}
