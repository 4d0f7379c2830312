// DVCLive output as one run:
//   <dir>/metrics.json                 latest values, nested by '/' in the name, plus "step"
//   <dir>/plots/metrics/<name>.tsv     history: a header (`step<TAB>name`, some versions
//                                      add `timestamp`), then one row per logged step
//   <dir>/params.yaml                  what live.log_params wrote; the project's
//                                      params.yaml beside <dir> when there is none
// Nested params are flattened with dots, as `dvc exp show` names them. Files are read
// through boundedRead, only inside the folder holding <dir> (where its params.yaml is).
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { HISTORY_CAP, readBoundedText, YAML_JSON_CAP, type ReadCap } from '../../common/boundedRead';
import { flattenLeaves } from '../../common/flatten';
import { parseYamlData } from '../../common/yamlData';
import type { MetricPoint, RunListing, RunSource, RunSummary, WarningSink } from '../types';
import { warningCollector } from '../types';
import { errorMessage } from '../../common/errors';
import { jobTagsIn } from '../jobRecord';

export class DvcLiveSource implements RunSource {
  readonly kind = 'dvclive';

  constructor(
    /** The DVCLive folder (`dvclive/` by default). */
    readonly location: string,
    private readonly onWarning: WarningSink = () => undefined,
  ) {}

  /** Files are read only inside it: the folder holding the DVCLive folder. */
  private get root(): string {
    return path.dirname(this.location);
  }

  async list(): Promise<RunListing> {
    const { warnings, warn } = warningCollector(this.onWarning);
    const metrics: Record<string, MetricPoint> = {};
    const summaryFile = path.join(this.location, 'metrics.json');
    const summary = await readJson(summaryFile, this.root, warn);
    const step = typeof summary?.step === 'number' ? summary.step : 0;
    if (summary) {
      try {
        for (const [k, v] of flatten(summary, '/')) if (k !== 'step' && typeof v === 'number') metrics[k] = { step, timestamp: 0, value: v };
      } catch (err) {
        warn({ file: summaryFile, message: `${errorMessage(err)}; its metrics are left out` });
      }
    }
    for (const [key, file] of await this.plotFiles(warn)) {
      const points = await readTsv(file, warn, this.root);
      if (points.length) metrics[key] = points[points.length - 1];
    }
    const params = (await readParams(path.join(this.location, 'params.yaml'), this.root, warn)) ?? (await readParams(path.join(this.root, 'params.yaml'), this.root, warn)) ?? {};
    // Results a cluster job brought home (core/jobs/sync/fetchResults.ts) name their job beside them.
    const { tags, label } = await jobTagsIn(this.root, this.root, warn);
    const name = label ?? 'workspace';
    const run: RunSummary = { id: 'workspace', experimentId: this.location, name, status: 'UNKNOWN', params, tags, metrics };
    return { experiments: [{ id: this.location, name: path.basename(this.location) }], runs: [run], warnings };
  }

  async metricHistory(_runId: string, key: string): Promise<MetricPoint[]> {
    return readTsv(path.join(this.location, 'plots', 'metrics', ...key.split('/')) + '.tsv', this.onWarning, this.root);
  }

  private async plotFiles(warn: WarningSink): Promise<Map<string, string>> {
    const root = path.join(this.location, 'plots', 'metrics');
    const out = new Map<string, string>();
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn({ file: dir, message: `cannot list: ${(err as Error).message}` });
        return;
      }
      for (const e of entries) {
        if (e.isDirectory()) await walk(path.join(dir, e.name), `${prefix}${e.name}/`);
        else if (e.isFile() && e.name.endsWith('.tsv')) out.set(prefix + e.name.slice(0, -4), path.join(dir, e.name));
      }
    };
    await walk(root, '');
    return out;
  }
}

/** The file's text; undefined when it is absent (not a warning) or unreadable (a warning). */
async function readTextIfPresent(file: string, root: string, warn: WarningSink, cap: ReadCap = YAML_JSON_CAP): Promise<string | undefined> {
  try {
    return await readBoundedText(file, { cap, root });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn({ file, message: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
}

async function readJson(file: string, root: string, warn: WarningSink): Promise<Record<string, unknown> | undefined> {
  const text = await readTextIfPresent(file, root, warn);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    warn({ file, message: 'not a JSON object; skipped' });
  } catch (err) {
    warn({ file, message: `corrupt JSON, skipped: ${(err as Error).message}` });
  }
  return undefined;
}

async function readParams(file: string, root: string, warn: WarningSink): Promise<Record<string, string> | undefined> {
  const text = await readTextIfPresent(file, root, warn);
  if (text === undefined) return undefined;
  try {
    const v = parseYamlData(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: Record<string, string> = {};
    for (const [k, val] of flatten(v as Record<string, unknown>, '.')) out[k] = typeof val === 'string' ? val : JSON.stringify(val);
    return out;
  } catch (err) {
    warn({ file, message: `corrupt YAML, skipped: ${(err as Error).message.split('\n')[0]}` });
    return {};
  }
}

/** DVCLive drops empty sections (`{}`), unlike dvc.utils.flatten. */
const flatten = (obj: Record<string, unknown>, sep: string) => flattenLeaves(obj, sep, '', false);

/** A DVCLive plot file; rows that are not numbers become one warning each. */
export async function readTsv(file: string, warn: WarningSink, root: string): Promise<MetricPoint[]> {
  let text;
  try {
    text = await readBoundedText(file, { cap: HISTORY_CAP, root });
  } catch (err) {
    warn({ file, message: `cannot read: ${(err as Error).message}` });
    return [];
  }
  return parseTsv(text, file, warn);
}

/** The rows of a DVCLive plot file's text (read from disk or from a commit); `file` names it in warnings. */
export function parseTsv(text: string, file: string, warn: WarningSink): MetricPoint[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split('\t');
  const stepCol = header.indexOf('step');
  const timeCol = header.indexOf('timestamp');
  const valueCol = header.length - 1;
  const out: MetricPoint[] = [];
  let offset = Buffer.byteLength(lines[0] ?? '') + 1;
  for (const line of lines.slice(1)) {
    const here = offset;
    offset += Buffer.byteLength(line) + 1;
    if (!line.trim()) continue;
    const cells = line.split('\t');
    const value = Number(cells[valueCol]);
    const step = stepCol >= 0 ? Number(cells[stepCol]) : out.length;
    const timestamp = timeCol >= 0 ? Number(cells[timeCol]) : 0;
    if (cells.length !== header.length || cells[valueCol].trim() === '' || (Number.isNaN(value) && !/^nan$/i.test(cells[valueCol].trim())) || !Number.isFinite(step)) {
      warn({ file, offset: here, message: `not a row of numbers: ${JSON.stringify(line.slice(0, 80))}; skipped` });
      continue;
    }
    out.push({ step, timestamp, value });
  }
  return out;
}
