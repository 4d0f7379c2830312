// Which files hold metrics (dvc.yaml's top-level `metrics:` and each stage's
// `metrics:`) and their numbers as flat dotted keys, the way `dvc metrics show` reads them.
import * as path from 'node:path';
import { flattenLeaves } from '../common/flatten';
import { parseYamlData } from '../common/yamlData';

/** Metrics files declared in a dvc.yaml, relative to the DVC root (`dir` is the dvc.yaml's folder). */
export function metricsFilesOf(dvcYamlText: string, dir = ''): string[] {
  let data: { metrics?: unknown; stages?: Record<string, Record<string, unknown>> };
  try {
    data = (parseYamlData(dvcYamlText) ?? {}) as typeof data;
  } catch {
    return [];
  }
  const files = new Set<string>();
  const add = (base: string, entry: unknown) => {
    const p = typeof entry === 'string' ? entry : entry && typeof entry === 'object' ? Object.keys(entry)[0] : undefined;
    if (p) files.add(path.posix.normalize(path.posix.join(dir, base, p)));
  };
  if (Array.isArray(data.metrics)) for (const m of data.metrics) add('.', m);
  for (const s of Object.values(data.stages ?? {})) {
    if (s && typeof s === 'object' && Array.isArray(s.metrics)) for (const m of s.metrics) add(typeof s.wdir === 'string' ? s.wdir : '.', m);
  }
  return [...files].sort();
}

/** Parsed metrics file (JSON or YAML); undefined when unreadable. */
export function parseMetricsFile(text: string, file: string): Record<string, unknown> | undefined {
  try {
    const v = /\.json$/i.test(file) ? JSON.parse(text) : parseYamlData(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Numeric leaves of a metrics object, keyed `a.b.c`. A file nested past MAX_NESTING has
 * none, as a file that does not parse (parseMetricsFile) has none: one file, not the table.
 */
export function flattenMetrics(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  let leaves: [string, unknown][];
  try {
    leaves = flattenLeaves(value, '.');
  } catch {
    return out;
  }
  for (const [k, v] of leaves) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

// Metrics for which a smaller value is better; everything else: larger is better.
const LOWER_IS_BETTER = /(loss|error|err$|mae|mse|rmse|mape|perplexity|latency|time|duration|wer|cer|fpr|fnr)/i;

export function metricDirection(name: string): 'max' | 'min' {
  return LOWER_IS_BETTER.test(name) ? 'min' : 'max';
}

/** Metrics of several files as one flat map; keys get the file as prefix when there is more than one file. */
export function mergeMetrics(byFile: Record<string, Record<string, number>>): Record<string, number> {
  const files = Object.keys(byFile);
  const out: Record<string, number> = {};
  for (const f of files) for (const [k, v] of Object.entries(byFile[f])) out[files.length > 1 ? `${f}:${k}` : k] = v;
  return out;
}
