// DVCLive output as one run:
//   <dir>/metrics.json                 latest values, nested by '/' in the name, plus "step"
//   <dir>/plots/metrics/<name>.tsv     history: a header (`step<TAB>name`, some versions
//                                      add `timestamp`), then one row per logged step
//   <dir>/params.yaml                  what live.log_params wrote; the project's
//                                      params.yaml beside <dir> when there is none
// Nested params are flattened with dots, as `dvc exp show` names them.
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseYamlData } from '../../common/yamlData';
import type { MetricPoint, RunListing, RunSource, RunSummary, WarningSink } from '../types';
import { warningCollector } from '../types';

export class DvcLiveSource implements RunSource {
  readonly kind = 'dvclive';

  constructor(
    /** The DVCLive folder (`dvclive/` by default). */
    readonly location: string,
    private readonly onWarning: WarningSink = () => undefined,
  ) {}

  async list(): Promise<RunListing> {
    const { warnings, warn } = warningCollector(this.onWarning);
    const metrics: Record<string, MetricPoint> = {};
    const summary = await readJson(path.join(this.location, 'metrics.json'), warn);
    const step = typeof summary?.step === 'number' ? summary.step : 0;
    if (summary) {
      for (const [k, v] of flatten(summary, '/')) if (k !== 'step' && typeof v === 'number') metrics[k] = { step, timestamp: 0, value: v };
    }
    for (const [key, file] of await this.plotFiles(warn)) {
      const points = await readTsv(file, warn);
      if (points.length) metrics[key] = points[points.length - 1];
    }
    const params = (await readParams(path.join(this.location, 'params.yaml'), warn)) ?? (await readParams(path.join(path.dirname(this.location), 'params.yaml'), warn)) ?? {};
    const run: RunSummary = { id: 'workspace', experimentId: this.location, name: 'workspace', status: 'UNKNOWN', params, tags: {}, metrics };
    return { experiments: [{ id: this.location, name: path.basename(this.location) }], runs: [run], warnings };
  }

  async metricHistory(_runId: string, key: string): Promise<MetricPoint[]> {
    return readTsv(path.join(this.location, 'plots', 'metrics', ...key.split('/')) + '.tsv', this.onWarning);
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
async function readTextIfPresent(file: string, warn: WarningSink): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn({ file, message: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
}

async function readJson(file: string, warn: WarningSink): Promise<Record<string, unknown> | undefined> {
  const text = await readTextIfPresent(file, warn);
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

async function readParams(file: string, warn: WarningSink): Promise<Record<string, string> | undefined> {
  const text = await readTextIfPresent(file, warn);
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

function flatten(obj: Record<string, unknown>, sep: string, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, sep, `${prefix}${k}${sep}`, out);
    else out.push([prefix + k, v]);
  }
  return out;
}

/** A DVCLive plot file; rows that are not numbers become one warning each. */
export async function readTsv(file: string, warn: WarningSink): Promise<MetricPoint[]> {
  let text;
  try {
    text = await readFile(file, 'utf8');
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
