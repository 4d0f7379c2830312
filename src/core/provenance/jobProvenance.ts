// Provenance of a cluster job. Code, params and data are captured here at submit by the
// launch capture (session.ts: the job runs the synced copy of this tree, so commit + patch
// describe it); the environment is measured where the job runs, by a few shell lines the
// job's script carries (prologue: host, GPU, Python, pip freeze; epilogue: exit status and
// end time) into a file in the job's folder. When the results come home the two halves are
// joined into `provenance.json` beside `mlops-job.json`, and the runs read from that folder
// carry the record as the same `mlops.*` tags a local launch gives its MLflow run.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import { parseGpu } from './capture';
import { parseNote } from './gitNote';
import type { JobEnd } from './jobEnd';
import { ENV_MARK, JOB_FREEZE_CAP } from './jobScript';
import { endTags, JOB_END_REASON_TAG, provenanceTags } from './mlflowTags';
import type { Captured, Provenance } from './types';
import { UNKNOWN } from './types';

/** In the local results folder: the local half (at submit), then the whole record (at fetch). */
export const SUBMIT_PART_FILE = 'provenance.submit.json';
export const JOB_PROVENANCE_FILE = 'provenance.json';
export const JOB_PATCH_FILE = 'changes.patch';
export const JOB_FREEZE_FILE = 'pip-freeze.txt';
/** The measurements file read back: at most this much. */
const ENV_TEXT_CAP = JOB_FREEZE_CAP + 64 * 1024;

export interface MeasuredEnvironment {
  host: string;
  python: string;
  gpu: Provenance['environment']['gpu'];
  pipFreeze: string;
  /** Seconds since the epoch, as the node's clock says. */
  start?: number;
  end?: number;
  exitCode?: number;
}

/** The prologue/epilogue's file; undefined when it is not one (absent, or something else). */
export function parseJobEnv(text: string | undefined): MeasuredEnvironment | undefined {
  if (!text) return undefined;
  const lines = text.slice(0, ENV_TEXT_CAP).split(/\r?\n/);
  if (lines[0]?.trim() !== ENV_MARK) return undefined;
  const kv: Record<string, string> = {};
  const sections: Record<string, string[]> = { gpu: [], 'nvidia-smi': [], pip: [], end: [] };
  let section = '';
  for (const line of lines.slice(1)) {
    const head = /^--- ([a-z-]+)$/.exec(line);
    if (head && head[1] in sections) section = head[1];
    else if (!section || section === 'end') {
      const eq = line.indexOf('=');
      if (eq > 0) kv[`${section}${line.slice(0, eq)}`] = line.slice(eq + 1).trim();
    } else sections[section].push(line);
  }
  const num = (s: string | undefined) => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);
  // `python -V` says "Python 3.11.2" (Python 2: on stderr, caught too); the record keeps the version.
  const py = /^Python\s+(\S+)/.exec(kv.python ?? '')?.[1];
  return {
    host: kv.host || UNKNOWN,
    python: py ?? UNKNOWN,
    gpu: parseGpu(sections.gpu.join('\n'), sections['nvidia-smi'].join('\n')),
    pipFreeze: sections.pip.filter((l) => l.trim()).join('\n') + (sections.pip.some((l) => l.trim()) ? '\n' : ''),
    start: num(kv.start),
    end: num(kv.endend),
    exitCode: num(kv.endexit),
  };
}

/** The local half with what was measured on the node (missing file: the environment reads unknown). */
export function joinJobProvenance(local: Captured, measured: MeasuredEnvironment | undefined, job: { cluster: string; jobId: string }, ended?: JobEnd): Captured {
  const p = local.provenance;
  // The epilogue's own status wins; without it (killed: time limit, scancel, node failure) the engine's word.
  const exitCode = measured?.exitCode ?? ended?.exitCode;
  const endReason = measured?.exitCode === undefined || ended?.killed ? ended?.reason : undefined;
  const m = measured ?? { host: UNKNOWN, python: UNKNOWN, gpu: { model: UNKNOWN, driver: UNKNOWN, cuda: UNKNOWN }, pipFreeze: '' };
  const provenance: Provenance = {
    ...p,
    job,
    environment: {
      ...p.environment,
      host: m.host,
      gpu: m.gpu,
      python: m.python,
      packages: m.pipFreeze.split('\n').filter((l) => l.trim()).length,
    },
    timing: {
      start: m.start !== undefined ? m.start * 1000 : p.timing.start,
      ...(m.end !== undefined ? { end: m.end * 1000 } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(endReason ? { endReason } : {}),
    },
  };
  return { provenance, patch: local.patch, pipFreeze: m.pipFreeze };
}

/** The record of a results folder (`provenance.json`, read bounded inside `root`); undefined when absent or not ours. */
export async function readJobProvenance(dir: string, root: string): Promise<Provenance | undefined> {
  const text = await readBoundedText(path.join(dir, JOB_PROVENANCE_FILE), { cap: YAML_JSON_CAP, root }).catch(() => undefined);
  return text ? parseNote(text) : undefined;
}

/** The record as the tags a local launch gives its MLflow run (what the tooltip and Compare Runs read). */
export function jobProvenanceTags(p: Provenance): Record<string, string> {
  const source = p.environment.command.join(' ');
  return {
    ...provenanceTags({ provenance: p, patch: '', pipFreeze: '' }, source),
    ...(p.timing.endReason ? { [JOB_END_REASON_TAG]: p.timing.endReason } : {}),
    ...(p.timing.end !== undefined ? endTags({ end: p.timing.end, exitCode: p.timing.exitCode }) : { 'mlops.exitCode': p.timing.exitCode === undefined ? UNKNOWN : String(p.timing.exitCode) }),
  };
}

/** Kept in the job's local results folder until its results come home (kept out of git). */
export async function saveSubmitPart(localDir: string, c: Captured): Promise<void> {
  await mkdir(localDir, { recursive: true });
  await writeFile(path.join(localDir, '.gitignore'), '*\n');
  if (c.patch) await writeFile(path.join(localDir, JOB_PATCH_FILE), c.patch);
  await writeFile(path.join(localDir, SUBMIT_PART_FILE), `${JSON.stringify(c.provenance, null, 1)}\n`);
}

/**
 * Joins the local half with the node's measurements (`envText`: the fetched file, or
 * undefined) into `provenance.json` (+ `pip-freeze.txt`); undefined when there is no local half.
 */
export async function writeJobProvenance(localDir: string, envText: string | undefined, job: { cluster: string; jobId: string }, ended?: JobEnd): Promise<Provenance | undefined> {
  const text = await readBoundedText(path.join(localDir, SUBMIT_PART_FILE), { cap: YAML_JSON_CAP, root: localDir }).catch(() => undefined);
  const local = text ? parseNote(text) : undefined;
  if (!local) return undefined;
  const patch = await readFile(path.join(localDir, JOB_PATCH_FILE), 'utf8').catch(() => '');
  const joined = joinJobProvenance({ provenance: local, patch, pipFreeze: '' }, parseJobEnv(envText), job, ended);
  if (joined.pipFreeze) await writeFile(path.join(localDir, JOB_FREEZE_FILE), joined.pipFreeze);
  await writeFile(path.join(localDir, JOB_PROVENANCE_FILE), `${JSON.stringify(joined.provenance, null, 1)}\n`);
  return joined.provenance;
}

/**
 * The tags for an MLflow entry-point job's runs (made on the cluster, where its tracking URI
 * points): the record joined from the local half and the measurements the job printed
 * (written to `localDir` too), as a local `mlflow run` tags its run; none without a local half.
 */
export async function entryPointRunTags(localDir: string, envText: string | undefined, job: { cluster: string; jobId: string }, ended?: JobEnd): Promise<Record<string, string>> {
  const p = await writeJobProvenance(localDir, envText, job, ended);
  return p ? jobProvenanceTags(p) : {};
}
