// What a refresh may skip of sacct: the steps of jobs it has already read. A finished
// job does not change, but its MaxRSS is only on its steps' rows, and reading the steps is
// most of sacct's time on the cluster (0.45 s of 0.5 s for ~1,000 jobs here). So after a
// full read, the next refreshes list the job rows only (`sacct -X`: states, times and
// sacct's own order stay fresh, so the answer is the one a full read gives) and ask for
// the steps of the jobs not settled yet; the settled ones get the MaxRSS kept here.
// A job is settled once every step row it has in an answer has ended (a step's End and its
// figures are written together), or it never ran on a node and has none, or else (a step
// row not written yet) once it ended a few minutes before the cluster's clock: accounting
// writes a step's figures after the job's row. A full read comes first, after a change of
// whose jobs or how many, after any warning of the history (a part failed or was cut), and
// every `fullEvery` refreshes, so whatever the cache missed heals on its own.
import type { JobRecord } from '../types';
import type { StepCount } from './sacct';

export interface HistoryCacheOptions {
  /** Every this many refreshes the history is read in full. Default 20 (5 minutes at the view's 15 s). */
  fullEvery?: number;
  /** A job that ended at least this long before the cluster's clock is settled. Default 300. */
  settleSeconds?: number;
}

/** What the next refresh asks sacct for: everything, or job rows with the steps of all but `ranges`' jobs. */
export type HistoryPlan = { mode: 'full' } | { mode: 'known'; ranges: string };

/** The most job ids a plan names (the history shows at most 10,000 jobs). */
const MAX_KNOWN = 10000;

/** `1-3,7,9-10` for 1,2,3,7,9,10: what the remote side reads back (numeric job ids only). */
export function idRanges(ids: Iterable<string>): string {
  const sorted = [...new Set([...ids].filter((i) => /^\d{1,10}$/.test(i)).map(Number))].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return out.join(',');
}

/** `2026-12-06T15:30:01` (sacct's and `date`'s local time, the cluster's clock) as seconds; undefined for another format. */
function clockSeconds(text: string | undefined): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)$/.exec(text ?? '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 : undefined;
}

interface Kept {
  rss: number | undefined;
  end: string | undefined;
}

export class SacctHistoryCache {
  /** Whose jobs and how many the cache is for. */
  private key: string | undefined;
  /** Settled jobs' MaxRSS (undefined: their steps had none) and End, by JobIDRaw. */
  private settled = new Map<string, Kept>();
  private sinceFull = 0;
  private readonly fullEvery: number;
  private readonly settleSeconds: number;

  constructor(opts: HistoryCacheOptions = {}) {
    this.fullEvery = Math.max(1, opts.fullEvery ?? 20);
    this.settleSeconds = opts.settleSeconds ?? 300;
  }

  plan(key: string): HistoryPlan {
    if (key !== this.key || this.settled.size === 0 || this.sinceFull + 1 >= this.fullEvery) return { mode: 'full' };
    return { mode: 'known', ranges: idRanges(this.settled.keys()) };
  }

  /**
   * The finished jobs of an answer to `plan`, settled ones given their kept MaxRSS; `ok`
   * false (the history part warned) forgets everything, so the next refresh reads in full.
   * `now` is the cluster's clock when it answered; `steps` the step rows the answer had per job.
   */
  merge(key: string, plan: HistoryPlan, records: JobRecord[], now: string | undefined, ok: boolean, steps: ReadonlyMap<string, StepCount> = new Map()): JobRecord[] {
    const known = plan.mode === 'known' && key === this.key ? this.settled : new Map<string, Kept>();
    for (const r of records) {
      const kept = known.get(r.jobId);
      // Another End: the job ran again (requeued after it ended) and its steps were not
      // asked for; this answer goes without the old figure and the next read is a full one.
      if (kept && kept.end !== r.endTime) ok = false;
      else if (kept?.rss !== undefined && kept.rss > (r.maxRssBytes ?? -1)) r.maxRssBytes = kept.rss;
    }
    if (!ok) {
      this.forget();
      return records;
    }
    const clock = clockSeconds(now);
    const next = new Map<string, Kept>();
    for (const r of records) {
      if (next.size >= MAX_KNOWN || !/^\d{1,10}$/.test(r.jobId)) continue;
      const end = clockSeconds(r.endTime);
      const st = steps.get(r.jobId);
      // sacct's NodeList of a job cancelled before it ran is `None assigned`.
      const final = st ? st.open === 0 : !r.nodeList || r.nodeList === 'None assigned';
      if (known.has(r.jobId) || final || (clock !== undefined && end !== undefined && clock - end >= this.settleSeconds)) next.set(r.jobId, { rss: r.maxRssBytes, end: r.endTime });
    }
    this.settled = next;
    this.key = key;
    this.sinceFull = plan.mode === 'full' ? 0 : this.sinceFull + 1;
    return records;
  }

  forget(): void {
    this.settled = new Map();
    this.key = undefined;
  }
}
