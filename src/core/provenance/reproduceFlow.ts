// Reproduce Run from start to report, over injected pieces (runner, MLflow client, how
// to execute the command), so the extension and the integration tests run the same steps.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { projectReader } from './capture';
import { untranslated } from '../common/l10n';
import { diffProvenance } from './diff';
import type { MlflowHelper } from './mlflowHelper';
import { PATCH_ARTIFACT } from './mlflowTags';
import { ReproduceError, addWorktree, applyPatch, compareMetrics, hasCommit, repoTop, reportMarkdown, restoreData, worktreeDir, type Tolerance, type Verdict } from './reproduce';
import type { ReproContainer } from './reproduceContainer';
import { formatBytes, plural } from '../common/format';
import { ARTIFACT_LIMITS, artifactsHome, homePaths, importHome, remoteArgv, remoteRunEnv, type RemoteSite } from './reproduceRemote';
import { imageNotMatched, ranImage } from './reproduceTarget';
import type { Runner } from './runner';
import { beginLaunch, launchArgv } from './session';
import type { Provenance } from './types';
import { viewFromTags } from './view';

export const REPORT_FILE = 'reproducibility-report.md';
export const REPORT_ARTIFACT = 'provenance/reproducibility-report.md';

export interface ReproduceInput {
  runId: string;
  /** The tracking URI of the original run's store. */
  uri: string;
  mlflow: Pick<MlflowHelper, 'getRun' | 'loadArtifactText' | 'createRun' | 'setTags' | 'logText' | 'endRun' | 'importResults' | 'logArtifacts'>;
  local: Runner;
  /** The user's project folder (the repository and DVC cache the run came from). */
  projectDir: string;
  /** Our cache folder: worktrees go under it. */
  cacheRoot: string;
  dvc: string;
  python: string;
  host: string;
  env: Readonly<Record<string, string | undefined>>;
  tolerance: Tolerance;
  /** Starts argv in cwd with env added; resolves with the exit status. */
  exec: (cwd: string, argv: string[], env: Record<string, string>) => Promise<number | undefined>;
  /**
   * The run recorded an image: a container of it (by digest, or what the user chose instead)
   * on a host the user picked, with `mounts` bound at the same paths; undefined: run here.
   */
  inImage?: InImageHook;
  /** The command's output when it runs in a container (here the task's terminal shows it). */
  onOutput?: (chunk: string) => void;
  /** The commit is not in the clone: fetch it? (resolves true once fetched). */
  offerFetch: (commit: string) => Promise<boolean>;
  step?: (what: string) => void;
  now?: () => number;
}

/**
 * `mounts`: the local folders a container here binds; `worktree`: what a host elsewhere
 * gets a copy of instead (the worktree, and the DVC-tracked paths in it to send too), and
 * the host the run recorded (offered first among equals).
 */
export type InImageHook = (image: { name: string; digest: string }, mounts: string[], gpu: string | undefined, worktree: { dir: string; include: string[]; recordedHost?: string }) => Promise<ImageRun | undefined>;

export interface ImageRun {
  container: ReproContainer;
  /** "gpu-box", "This machine": the host the container runs on. */
  host: string;
  /** The image the container was made from (its digest as the engine names it). */
  image: { name: string; digest: string };
  /** Set when the host is not this machine: the worktree's copy there, and the way home. */
  site?: RemoteSite;
}

export interface ReproduceResult {
  verdict: Verdict;
  report: string;
  reportPath: string;
  worktree: string;
  newRunId?: string;
  exitCode?: number;
}

const TOOLS = new Set(['dvc', 'mlflow']);

export async function reproduceRun(i: ReproduceInput): Promise<ReproduceResult> {
  const now = i.now ?? Date.now;
  const step = i.step ?? (() => undefined);
  step('reading the run');
  const original = await i.mlflow.getRun(i.uri, i.runId);
  const view = viewFromTags(original.tags);
  if (!view.commit) throw new ReproduceError('the run records no git commit (mlflow.source.git.commit): its code cannot be found', 'git');
  if (!view.command?.length) throw new ReproduceError('the run records no command (it was not launched from the workbench): run it again from the workbench to record one', 'git');
  if (view.patchCapped) throw new ReproduceError('the run\'s uncommitted changes were larger than the patch cap, so they cannot be re-applied', 'patch-conflict');

  if (!(await hasCommit(i.local, i.projectDir, view.commit))) {
    if (!(await i.offerFetch(view.commit)) || !(await hasCommit(i.local, i.projectDir, view.commit))) {
      throw new ReproduceError(`commit ${view.commit.slice(0, 7)} is not in this clone`, 'commit-missing', [view.commit]);
    }
  }
  step('making a worktree at the commit');
  const { top, prefix } = await repoTop(i.local, i.projectDir);
  const dir = worktreeDir(i.cacheRoot, i.runId, now());
  await mkdir(path.dirname(dir), { recursive: true });
  await addWorktree(i.local, top, dir, view.commit);
  const project = prefix ? path.join(dir, prefix) : dir;

  // The patch's size too: a file list too long for its tag (many untracked files) reads unknown.
  if ((view.changes && Object.keys(view.changes).length) || (view.patchBytes ?? 0) > 0) {
    step('applying the recorded changes');
    const patch = await i.mlflow.loadArtifactText(i.uri, i.runId, PATCH_ARTIFACT);
    const patchFile = `${dir}.patch`;
    await writeFile(patchFile, patch);
    await applyPatch(i.local, dir, patchFile);
  }

  const notMatched: string[] = [];
  const sk = view.skippedUntracked;
  if (sk) {
    const more = sk.count > sk.names.length ? ` and ${sk.count - sk.names.length} more` : '';
    notMatched.push(`untracked files left out of the recorded changes (over 1 MiB each, or past 1,000 files / 4 MiB in all), so the reproduction ran without them: ${sk.names.join(', ')}${more}`);
  }
  step('restoring the data versions');
  const cache = await i.local([i.dvc, 'cache', 'dir'], { cwd: i.projectDir });
  const cacheDir = cache.code === 0 && cache.stdout.trim() ? cache.stdout.trim() : path.join(i.projectDir, '.dvc', 'cache');
  const missing = await restoreData(i.local, i.dvc, project, cacheDir);
  // Without a dvc.lock at the commit, DVC has no hashes for the stages' outputs: they are
  // not missing from the cache, the commit just does not say which versions to check out.
  const locked = await stat(path.join(project, 'dvc.lock')).then(() => true, () => false);
  if (!locked && (await stat(path.join(project, 'dvc.yaml')).then(() => true, () => false))) {
    notMatched.push("the commit holds no dvc.lock, so the versions of the stages' outputs the run read could not be checked out (Inputs says whether they came out the same): the command makes them again, or fails without them. Commit dvc.lock with the code to make them restorable.");
  } else if (missing.length) notMatched.push(`data not in the DVC cache nor its remote: ${missing.join(', ')}`);
  const recordedImage = view.image && view.imageDigest ? { name: view.image, digest: view.imageDigest } : undefined;
  let inImage: ImageRun | undefined;
  if (recordedImage && i.inImage) {
    step('starting a container of the recorded image');
    inImage = await i.inImage(recordedImage, [...new Set([dir, i.projectDir, cacheDir])], view.gpu, { dir, include: dataPaths(prefix, view.data), recordedHost: view.host });
  }
  if (recordedImage) {
    const why = imageNotMatched(recordedImage, inImage?.image);
    if (why) notMatched.push(why);
  } else if (view.image) notMatched.push(`image ${view.image}: no digest was recorded, so the reproduction ran on this machine`);

  try {
    step('running the same command');
    // Here the recorded `dvc` is the one found on this machine; in the image, the image's own.
    const command = forced(inImage ? view.command : view.command.map((a, k) => (k === 0 && TOOLS.has(path.basename(a)) ? (path.basename(a) === 'dvc' ? i.dvc : a) : a)));
    const launcher = (original.tags['mlops.launcher'] as Provenance['launcher'] | undefined) ?? 'dvc-repro';
    const session = await beginLaunch({
      launcher: inImage ? 'workspace' : launcher === 'workspace' ? 'dvc-repro' : launcher,
      cwd: project,
      command,
      stages: view.stages,
      local: i.local,
      remote: inImage?.container.runner ?? i.local,
      python: inImage ? 'python' : i.python,
      remoteCwd: inImage?.site ? inImage.site.toRemote(project) : project,
      host: inImage?.host ?? i.host,
      image: recordedImage ? ranImage(recordedImage, inImage?.image) : undefined,
      env: i.env,
      readText: projectReader(project),
      mlflow: { writer: i.mlflow, uri: i.uri, experiment: '', experimentId: original.experimentId, sourceName: original.tags['mlflow.source.name'] ?? command.join(' '), reproducedFrom: i.runId },
      now,
    });
    if (!session.mlflowRun) throw new ReproduceError(session.problems.join('; ') || 'no MLflow run could be made for the reproduction', 'git');
    const site = inImage?.site;
    let exitCode: number | undefined;
    if (site) {
      const cwd = site.toRemote(project);
      const env = remoteRunEnv(session.env, cwd, i.uri);
      exitCode = await inImage!.container.exec(cwd, remoteArgv(launchArgv(command, env)), env, i.onOutput);
      step(`bringing the results home from ${site.host}`);
      const home = `${dir}.home`;
      const got = await site.bringHome(project, homePaths(), home);
      if (got.skipped.length) notMatched.push(`results left on ${site.host} (past the limits, or not regular files): ${got.skipped.slice(0, 5).join(', ')}`);
      if (env.MLFLOW_RUN_ID !== session.env.MLFLOW_RUN_ID) {
        const imported = await importHome(i.mlflow, i.uri, session.mlflowRun.runId, home);
        if (!imported) notMatched.push(`no MLflow run nor DVCLive summary came back from ${site.host}: the reproduction has no metrics`);
        else if (imported.conflicts.length) notMatched.push(`params logged on ${site.host} with other values than the run's: ${imported.conflicts.join(', ')}`);
        if (imported?.artifactUri) {
          step(`bringing the artifacts home from ${site.host}`);
          const arts = await artifactsHome(site, i.mlflow, i.uri, session.mlflowRun.runId, imported.artifactUri, `${dir}.artifacts`);
          if (arts.leftThere) notMatched.push(arts.leftThere);
          if (arts.skipped.length) notMatched.push(`artifacts left on ${site.host} past the cap of ${formatBytes(ARTIFACT_LIMITS.maxBytes)} / ${plural(ARTIFACT_LIMITS.maxFiles, 'file')} (${plural(arts.logged, 'file')} came home): ${arts.skipped.slice(0, 5).join(', ')}${arts.skipped.length > 5 ? ', …' : ''}`);
        }
      }
    } else {
      const argv = launchArgv(command, session.env);
      exitCode = inImage ? await inImage.container.exec(project, argv, session.env, i.onOutput) : await i.exec(project, argv, session.env);
    }
    await session.finish(exitCode);
    return await writeReport(i, { original, view, dir, notMatched, exitCode, newRunId: session.mlflowRun.runId, now, ranOn: site && { host: site.host, dir: site.remoteDir } });
  } finally {
    await inImage?.container.remove();
  }
}

async function writeReport(
  i: ReproduceInput,
  r: { original: Awaited<ReturnType<ReproduceInput['mlflow']['getRun']>>; view: ReturnType<typeof viewFromTags>; dir: string; notMatched: string[]; exitCode: number | undefined; newRunId: string; now: () => number; ranOn?: { host: string; dir: string } },
): Promise<ReproduceResult> {
  const { original, view, dir, notMatched, exitCode, now } = r;
  const session = { mlflowRun: { runId: r.newRunId } };
  i.step?.('writing the report');
  const again = await i.mlflow.getRun(i.uri, session.mlflowRun.runId);
  const newView = viewFromTags(again.tags);
  if (view.gpu && newView.gpu && view.gpu !== newView.gpu) notMatched.push(`GPU: ${view.gpu} recorded, ${newView.gpu} where it ran`);
  if (exitCode !== 0) notMatched.push(`the command exited with ${exitCode ?? 'no status'}`);
  const { rows, verdict } = compareMetrics(original.metrics, again.metrics, i.tolerance);
  const report = reportMarkdown({
    original: { id: i.runId, name: original.tags['mlflow.runName'] ?? i.runId },
    reproduced: { id: session.mlflowRun.runId, name: again.tags['mlflow.runName'] ?? session.mlflowRun.runId },
    tolerance: i.tolerance,
    rows,
    verdict,
    inputs: diffProvenance(untranslated, view, newView),
    notMatched,
    worktree: dir,
    ranOn: r.ranOn,
    when: new Date(now()).toISOString(),
  });
  const reportPath = path.join(dir, REPORT_FILE);
  await writeFile(reportPath, report);
  await i.mlflow.logText(i.uri, session.mlflowRun.runId, REPORT_ARTIFACT, report).catch(() => undefined);
  await i.mlflow.setTags(i.uri, session.mlflowRun.runId, { 'mlops.reproduce.verdict': verdict }).catch(() => undefined);
  return { verdict, report, reportPath, worktree: dir, newRunId: session.mlflowRun.runId, exitCode };
}

/**
 * The worktree paths (relative to its root) of the run's DVC-tracked inputs: the recorded
 * deps, and the data a `.dvc` file tracks (its name without `.dvc`).
 */
export function dataPaths(prefix: string, data: Readonly<Record<string, string>> | undefined): string[] {
  const rel = Object.keys(data ?? {}).map((k) => (k.endsWith('.dvc') ? k.slice(0, -4) : k));
  return [...new Set(rel.map((k) => (prefix ? `${prefix}/${k}` : k)))];
}

/**
 * The recorded command, made to run even where DVC finds nothing changed: restored data
 * and a committed dvc.lock would otherwise make `dvc repro` skip the very stage to check.
 */
export function forced(command: readonly string[]): string[] {
  const tool = path.basename(command[0] ?? '');
  if (tool !== 'dvc') return [...command];
  if (command[1] === 'repro' && !command.includes('-f') && !command.includes('--force')) return [command[0], 'repro', '--force', ...command.slice(2)];
  if (command[1] === 'exp' && command[2] === 'run' && !command.includes('-f') && !command.includes('--force')) return [command[0], 'exp', 'run', '--force', ...command.slice(3)];
  return [...command];
}
