// TensorBoard logs as runs: every folder under the root holding event files is one run
// (TensorBoard's own rule), its files merged; the root is the one experiment. Readers
// are kept between listings so a growing file is read from where we stopped. A cluster
// job's results folder brought home is one log folder; its record tags every run in it.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { MetricPoint, RunListing, RunSource, RunSummary, WarningSink } from '../types';
import { warningCollector } from '../types';
import { decodePoints } from '../isolated/pointsCodec';
import { jobTagsIn } from '../jobRecord';
import { EventFileReader } from './eventFileReader';
import { PackedSeries } from './packedSeries';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', '__pycache__']);

export class TensorBoardSource implements RunSource {
  readonly kind = 'tensorboard';
  private readonly readers = new Map<string, EventFileReader>();

  constructor(
    readonly location: string,
    private readonly onWarning: WarningSink = () => undefined,
  ) {}

  async list(): Promise<RunListing> {
    const { warnings, warn } = warningCollector(this.onWarning);
    const byRun = await this.read(await findEventFiles(this.location, warn), warn);
    const job = byRun.size ? await jobTagsIn(this.location, this.location, warn) : { tags: {} };
    const runs: RunSummary[] = [];
    for (const [id, readers] of [...byRun].sort(([a], [b]) => a.localeCompare(b))) {
      const metrics: Record<string, MetricPoint> = {};
      let start = Infinity;
      let end = -Infinity;
      for (const tag of new Set(readers.flatMap((r) => r.scalarTags()))) {
        // Kept up to date as points arrive: a listing touches no point.
        const { latest, minTime, maxTime } = this.merged(readers, tag).summary();
        if (latest) metrics[tag] = latest;
        if (minTime < start) start = minTime;
        if (maxTime > end) end = maxTime;
      }
      runs.push({
        id,
        experimentId: this.location,
        name: job.label ? `${job.label} ${id === '.' ? '' : id}`.trim() : id === '.' ? path.basename(this.location) : id,
        status: 'UNKNOWN',
        startTime: Number.isFinite(start) ? start : undefined,
        endTime: Number.isFinite(end) ? end : undefined,
        params: {},
        tags: { ...job.tags },
        metrics,
      });
    }
    return { experiments: [{ id: this.location, name: path.basename(this.location) }], runs, warnings };
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    return decodePoints(await this.metricHistoryPacked(runId, key));
  }

  async metricHistoryPacked(runId: string, key: string): Promise<Float64Array> {
    // The run's own files, read from where they stopped so the history is current: not a
    // whole listing, which reads every run's files and builds every tag's summary, once for
    // each series a chart asks for.
    const dir = path.join(this.location, runId);
    const files = await findEventFiles(dir, this.onWarning, false);
    const readers = (await this.read(files, this.onWarning)).get(runId) ?? [];
    return this.merged(readers, key).packed();
  }

  /** Reads what was appended to each file; the files' readers by run, in file name order. */
  private async read(files: string[], warn: WarningSink): Promise<Map<string, EventFileReader[]>> {
    const byRun = new Map<string, EventFileReader[]>();
    for (const file of files) {
      const run = path.relative(this.location, path.dirname(file)) || '.';
      let reader = this.readers.get(file);
      if (!reader) {
        // Files come in name order, so the run's previous file has just been read: its end
        // state is where EventAccumulator's one stream stands when this file begins.
        const previous = byRun.get(run)?.at(-1);
        reader = new EventFileReader(file, warn, this.location, previous?.state());
        this.readers.set(file, reader);
      }
      try {
        await reader.read();
      } catch (err) {
        warn({ file, message: `cannot read: ${(err as Error).message}` });
        continue;
      }
      byRun.set(run, [...(byRun.get(run) ?? []), reader]);
    }
    return byRun;
  }

  private merged(readers: EventFileReader[], tag: string): PackedSeries {
    if (readers.length === 1) return readers[0].tag(tag) ?? new PackedSeries();
    // Files of one run sort by name (code units, as Python's sorted()), which starts with
    // the creation time. EventAccumulator reads them as one stream, so a later file's
    // purges (a restart) drop earlier files' points.
    const out = new PackedSeries();
    for (const r of [...readers].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
      for (const p of r.purges) if (!p.tags || p.tags.includes(tag)) out.purge(p.step);
      const series = r.tag(tag);
      if (series) out.append(series.packed());
    }
    return out;
  }
}

/** The event files under `root` (`deep` = false: in `root` itself, one run's files), in name order. */
async function findEventFiles(root: string, warn: WarningSink, deep = true): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      warn({ file: dir, message: `cannot list: ${(err as Error).message}` });
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (deep && !SKIP_DIRS.has(e.name)) await walk(path.join(dir, e.name));
        // Links, FIFOs and devices too: the reader refuses what is not a regular file inside
        // the log folder, and the refusal is a warning naming the file.
      } else if (e.name.includes('tfevents')) out.push(path.join(dir, e.name));
    }
  };
  await walk(root);
  return out.sort();
}
