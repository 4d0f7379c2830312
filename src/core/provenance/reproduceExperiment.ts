// Reproduce Run for a DVC experiment: its record is the git note on the experiment commit
// (refs/notes/mlops); the commit itself holds the code and the params the experiment ran
// with (`dvc exp run` commits the workspace, -S changes included). The commit is checked
// out in a worktree of ours (never the user's tree), its data restored, the stages rerun
// there with `dvc repro --force` — not `dvc exp run`, which would add an experiment to the
// user's list — and DVC's own `dvc metrics show --json` read before (the experiment's
// committed metrics) and after (the reproduction's) for the report.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { flattenLeaves } from '../common/flatten';
import { projectReader } from './capture';
import { untranslated } from '../common/l10n';
import { diffProvenance } from './diff';
import { readNote } from './gitNote';
import { ReproduceError, addWorktree, compareMetrics, hasCommit, repoTop, reportMarkdown, restoreData, worktreeDir, type Tolerance, type Verdict } from './reproduce';
import { dataPaths, type ImageRun, type InImageHook } from './reproduceFlow';
import { homePaths, remoteArgv } from './reproduceRemote';
import { imageNotMatched, ranImage } from './reproduceTarget';
import type { Runner } from './runner';
import { beginLaunch } from './session';
import type { Provenance } from './types';
import { viewFromRecord, type ProvenanceView } from './view';

export const EXPERIMENT_REPORT_FILE = 'reproducibility-report.md';
const METRICS_MAX = 500;

/**
 * The numbers of `dvc metrics show --json` ({"": {"data": {file: {"data": {...}}}}}), as
 * "file:key.path" → value; a file DVC could not read is left out. At most METRICS_MAX.
 */
export function parseDvcMetrics(json: string): Record<string, number> {
  const out: Record<string, number> = {};
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return out;
  }
  if (!doc || typeof doc !== 'object') return out;
  const rev = Object.values(doc as Record<string, unknown>)[0] as { data?: Record<string, { data?: unknown }> } | undefined;
  for (const [file, entry] of Object.entries(rev?.data ?? {})) {
    if (!entry || typeof entry !== 'object' || !entry.data || typeof entry.data !== 'object') continue;
    let leaves: [string, unknown][];
    try {
      leaves = flattenLeaves(entry.data, '.');
    } catch {
      continue; // nested past reason: not a metrics file we can show
    }
    for (const [key, value] of leaves) {
      if (typeof value === 'number' && Number.isFinite(value)) out[`${file}:${key}`] = value;
      if (Object.keys(out).length >= METRICS_MAX) return out;
    }
  }
  return out;
}

/**
 * The command that reruns what the experiment ran, in the worktree at its commit: the
 * recorded stages (or the whole pipeline), forced, since the restored outputs and the
 * committed dvc.lock would otherwise make DVC skip them. `-S` overrides are already in the
 * commit's params files.
 */
export function experimentReproArgv(dvc: string, note: Provenance | undefined): string[] {
  const cmd = note?.environment.command ?? [];
  const named = cmd[1] === 'repro' ? cmd.slice(2).filter((a) => !a.startsWith('-')) : [];
  const stages = note?.stages?.length ? note.stages : named;
  return [dvc, 'repro', '--force', ...stages];
}

export interface ExperimentReproduceInput {
  /** The experiment's commit (the Runs view's row id). */
  commit: string;
  /** Its name, for the report ("milky-firm"). */
  name: string;
  projectDir: string;
  cacheRoot: string;
  dvc: string;
  python: string;
  host: string;
  local: Runner;
  env: Readonly<Record<string, string | undefined>>;
  tolerance: Tolerance;
  exec: (cwd: string, argv: string[], env: Record<string, string>) => Promise<number | undefined>;
  inImage?: InImageHook;
  onOutput?: (chunk: string) => void;
  step?: (what: string) => void;
  now?: () => number;
}

export interface ExperimentReproduceResult {
  verdict: Verdict;
  report: string;
  reportPath: string;
  worktree: string;
  exitCode?: number;
  /** Whether the experiment had our note (without it: code, params and data from the commit only). */
  noted: boolean;
}

async function metricsIn(run: Runner, dvc: string, cwd: string): Promise<Record<string, number>> {
  const r = await run([dvc, 'metrics', 'show', '--json'], { cwd, timeoutMs: 120_000 });
  return r.code === 0 ? parseDvcMetrics(r.stdout) : {};
}

export async function reproduceExperiment(i: ExperimentReproduceInput): Promise<ExperimentReproduceResult> {
  const now = i.now ?? Date.now;
  const step = i.step ?? (() => undefined);
  if (!(await hasCommit(i.local, i.projectDir, i.commit))) throw new ReproduceError(`experiment commit ${i.commit.slice(0, 7)} is not in this clone`, 'commit-missing', [i.commit]);
  step('reading the experiment\'s note');
  const note = await readNote(i.local, i.projectDir, i.commit);

  step('making a worktree at the experiment\'s commit');
  const { top, prefix } = await repoTop(i.local, i.projectDir);
  const dir = worktreeDir(i.cacheRoot, i.commit.slice(0, 12), now());
  await mkdir(path.dirname(dir), { recursive: true });
  await addWorktree(i.local, top, dir, i.commit);
  const project = prefix ? path.join(dir, prefix) : dir;

  const notMatched: string[] = [];
  if (!note) notMatched.push('the experiment has no provenance note (refs/notes/mlops): it was not run from the workbench, so its environment is unknown');
  step('restoring the data versions');
  const cache = await i.local([i.dvc, 'cache', 'dir'], { cwd: i.projectDir });
  const cacheDir = cache.code === 0 && cache.stdout.trim() ? cache.stdout.trim() : path.join(i.projectDir, '.dvc', 'cache');
  const missing = await restoreData(i.local, i.dvc, project, cacheDir);
  if (missing.length) notMatched.push(`data not in the DVC cache nor its remote: ${missing.join(', ')}`);
  // The experiment's own numbers: its committed metrics files, as DVC reads them.
  const original = await metricsIn(i.local, i.dvc, project);

  const image = note?.environment.image;
  let inImage: ImageRun | undefined;
  if (image && i.inImage) {
    step('starting a container of the recorded image');
    inImage = await i.inImage(image, [...new Set([dir, i.projectDir, cacheDir])], note?.environment.gpu.model, { dir, include: dataPaths(prefix, { ...note?.data.deps, ...note?.data.dvcFiles }), recordedHost: note?.environment.host });
  }
  if (image) {
    const why = imageNotMatched(image, inImage?.image);
    if (why) notMatched.push(why);
  }

  try {
    step('rerunning the experiment\'s stages');
    const command = experimentReproArgv(inImage ? 'dvc' : i.dvc, note);
    const session = await beginLaunch({
      launcher: inImage ? 'workspace' : 'dvc-repro',
      cwd: project,
      command,
      stages: note?.stages,
      local: i.local,
      remote: inImage?.container.runner ?? i.local,
      python: inImage ? 'python' : i.python,
      remoteCwd: inImage?.site ? inImage.site.toRemote(project) : project,
      host: inImage?.host ?? i.host,
      image: image ? ranImage(image, inImage?.image) : undefined,
      env: i.env,
      readText: projectReader(project),
      now,
    });
    const site = inImage?.site;
    const exitCode = site
      ? await inImage!.container.exec(site.toRemote(project), remoteArgv(command), session.env, i.onOutput)
      : inImage
        ? await inImage.container.exec(project, command, session.env, i.onOutput)
        : await i.exec(project, command, session.env);
    if (site) {
      step(`bringing the results home from ${site.host}`);
      // The metrics files DVC read before the run, dvc.lock and DVCLive's folder.
      const files = Object.keys(original).map((k) => k.slice(0, k.indexOf(':')));
      const got = await site.bringHome(project, homePaths(files), `${dir}.home`);
      if (got.skipped.length) notMatched.push(`results left on ${site.host} (past the limits, or not regular files): ${got.skipped.slice(0, 5).join(', ')}`);
    }
    await session.finish(exitCode);
    const again = (await session.captured).provenance;

    step('writing the report');
    const reproduced = await metricsIn(i.local, i.dvc, project);
    if (exitCode !== 0) notMatched.push(`the command exited with ${exitCode ?? 'no status'}`);
    const before: ProvenanceView | undefined = note ? { ...viewFromRecord(note), commit: i.commit, changes: {}, patchCapped: undefined } : undefined;
    const after = viewFromRecord(again);
    if (before?.gpu && after.gpu && before.gpu !== after.gpu) notMatched.push(`GPU: ${before.gpu} recorded, ${after.gpu} where it ran`);
    const { rows, verdict } = compareMetrics(original, reproduced, i.tolerance);
    const report = reportMarkdown({
      original: { id: i.commit, name: i.name },
      reproduced: { id: 'dvc repro --force', name: path.basename(dir) },
      tolerance: i.tolerance,
      rows,
      verdict,
      // The experiment commit holds its workspace changes: it is the code, with no patch.
      inputs: diffProvenance(untranslated, before ?? { recorded: false, commit: i.commit, changes: {}, unknown: [] }, { ...after, commit: after.commit ?? i.commit }),
      notMatched,
      worktree: dir,
      ranOn: site && { host: site.host, dir: site.remoteDir },
      when: new Date(now()).toISOString(),
    });
    const reportPath = path.join(dir, EXPERIMENT_REPORT_FILE);
    await writeFile(reportPath, report);
    return { verdict, report, reportPath, worktree: dir, exitCode, noted: !!note };
  } finally {
    await inImage?.container.remove();
  }
}
