// Reproduce Run, the parts that need no editor: the code materialised in a git worktree
// (never the user's tree), the patch applied or its conflicts named, the data restored
// through DVC with what is missing named, and the reproducibility report.
import * as path from 'node:path';
import type { AspectDiff } from './diff';
import type { Runner } from './runner';

export interface Tolerance {
  /** |b - a| at most this, or */
  absolute: number;
  /** |b - a| / |a| at most this. */
  relative: number;
}

export interface MetricRow {
  name: string;
  original?: number;
  reproduced?: number;
  absDelta?: number;
  relDelta?: number;
  within: boolean;
}

export type Verdict = 'reproduced within tolerance' | 'not reproduced: metrics moved beyond tolerance' | 'not reproduced: no metrics to compare';

export function compareMetrics(original: Record<string, number>, reproduced: Record<string, number>, tol: Tolerance): { rows: MetricRow[]; verdict: Verdict } {
  const names = [...new Set([...Object.keys(original), ...Object.keys(reproduced)])].sort();
  const rows = names.map((name): MetricRow => {
    const a = original[name];
    const b = reproduced[name];
    if (a === undefined || b === undefined) return { name, original: a, reproduced: b, within: false };
    const absDelta = b - a;
    const relDelta = a === 0 ? (b === 0 ? 0 : Infinity) : absDelta / Math.abs(a);
    return { name, original: a, reproduced: b, absDelta, relDelta, within: Math.abs(absDelta) <= tol.absolute || Math.abs(relDelta) <= tol.relative };
  });
  const both = rows.filter((r) => r.original !== undefined && r.reproduced !== undefined);
  const verdict: Verdict = !both.length ? 'not reproduced: no metrics to compare' : both.every((r) => r.within) ? 'reproduced within tolerance' : 'not reproduced: metrics moved beyond tolerance';
  return { rows, verdict };
}

const fmt = (n: number | undefined) => (n === undefined ? '—' : Number.isFinite(n) ? (Math.abs(n) >= 1e4 || (n !== 0 && Math.abs(n) < 1e-4) ? n.toExponential(4) : String(Number(n.toFixed(6)))) : '∞');
const pct = (n: number | undefined) => (n === undefined ? '—' : Number.isFinite(n) ? `${(n * 100).toFixed(3)}%` : '∞');

export interface ReportInput {
  original: { id: string; name: string };
  reproduced: { id: string; name: string };
  tolerance: Tolerance;
  rows: MetricRow[];
  verdict: Verdict;
  inputs: AspectDiff[];
  /** Inputs the reproduction could not match (ran locally instead of in the image, another GPU, ...). */
  notMatched: string[];
  worktree: string;
  /** Where its copy ran when that was another host (an SSH host's folder). */
  ranOn?: { host: string; dir: string };
  when: string;
}

export function reportMarkdown(r: ReportInput): string {
  const lines = [
    `# Reproducibility report`,
    '',
    `**${r.verdict}** — run \`${r.original.name}\` (\`${r.original.id}\`) reproduced as \`${r.reproduced.name}\` (\`${r.reproduced.id}\`), ${r.when}.`,
    '',
    `Tolerance: absolute ${r.tolerance.absolute}, relative ${r.tolerance.relative} (\`mlops.reproduce.tolerance\`); a metric is within when either holds.`,
    '',
    '## Metrics',
    '',
    '| metric | original | reproduced | Δ absolute | Δ relative | within |',
    '|---|---:|---:|---:|---:|:---:|',
    ...r.rows.map((m) => `| ${m.name} | ${fmt(m.original)} | ${fmt(m.reproduced)} | ${fmt(m.absDelta)} | ${pct(m.relDelta)} | ${m.within ? '✓' : '✗'} |`),
    '',
    '## Inputs',
    '',
    '| input | identical | detail |',
    '|---|:---:|---|',
    ...r.inputs.map((d) => `| ${d.aspect} | ${d.same === undefined ? '?' : d.same ? '✓' : '✗'} | ${d.text}${d.items.length ? `: ${d.items.join(', ')}` : ''} |`),
  ];
  if (r.notMatched.length) lines.push('', '## Not matched', '', ...r.notMatched.map((s) => `- ${s}`));
  lines.push('', `Code materialised in \`${r.worktree}\` (a git worktree; your working tree and branches were not touched).`);
  if (r.ranOn) lines.push('', `It ran on ${r.ranOn.host}, in a copy of the worktree at \`${r.ranOn.dir}\`; *MLOps: Clean Up Reproductions…* removes both.`);
  lines.push('');
  return lines.join('\n');
}

export class ReproduceError extends Error {
  constructor(
    message: string,
    readonly kind: 'commit-missing' | 'patch-conflict' | 'data-missing' | 'git',
    readonly items: string[] = [],
  ) {
    super(message);
  }
}

/** Whether the clone has the commit (false: offer `git fetch`). */
export async function hasCommit(run: Runner, cwd: string, commit: string): Promise<boolean> {
  return (await run(['git', 'cat-file', '-e', `${commit}^{commit}`], { cwd })).code === 0;
}

/** The repository's top folder and the project folder's path inside it. */
export async function repoTop(run: Runner, cwd: string): Promise<{ top: string; prefix: string }> {
  const r = await run(['git', 'rev-parse', '--show-toplevel', '--show-prefix'], { cwd });
  if (r.code !== 0) throw new ReproduceError(`${cwd} is not in a git repository: ${r.stderr.trim()}`, 'git');
  const [top, prefix = ''] = r.stdout.split('\n');
  return { top: top.trim(), prefix: prefix.trim().replace(/\/$/, '') };
}

/** A detached worktree at `commit` in `dir`: a new folder, no branch made, the user's tree untouched. */
export async function addWorktree(run: Runner, top: string, dir: string, commit: string): Promise<void> {
  const r = await run(['git', 'worktree', 'add', '--detach', '--force', dir, commit], { cwd: top });
  if (r.code !== 0) throw new ReproduceError(`git worktree add failed: ${r.stderr.trim().split('\n').slice(-1)[0]}`, 'git');
}

export async function removeWorktree(run: Runner, top: string, dir: string): Promise<void> {
  await run(['git', 'worktree', 'remove', '--force', dir], { cwd: top });
}

/** Files named in `git apply`'s complaints ("error: patch failed: a.py:3", "error: a.py: patch does not apply"). */
export function conflictFiles(stderr: string): string[] {
  const files = new Set<string>();
  for (const line of stderr.split('\n')) {
    const m = /^error: patch failed: (.+):\d+$/.exec(line.trim()) ?? /^error: (.+?): (?:patch does not apply|does not exist in index|No such file or directory|already exists in working directory)$/.exec(line.trim());
    if (m) files.add(m[1]);
  }
  return [...files];
}

/** Applies the recorded patch in the worktree (checked first: all or nothing). */
export async function applyPatch(run: Runner, dir: string, patchFile: string): Promise<void> {
  const check = await run(['git', 'apply', '--check', '--binary', patchFile], { cwd: dir });
  if (check.code !== 0) {
    const files = conflictFiles(check.stderr);
    throw new ReproduceError(`the recorded changes no longer apply at that commit${files.length ? ` (conflicts in ${files.join(', ')})` : ''}: ${check.stderr.trim().split('\n')[0]}`, 'patch-conflict', files);
  }
  const r = await run(['git', 'apply', '--binary', patchFile], { cwd: dir });
  if (r.code !== 0) throw new ReproduceError(`git apply failed: ${r.stderr.trim()}`, 'patch-conflict', conflictFiles(r.stderr));
}

/**
 * Paths DVC could not restore, from `dvc checkout`'s "Checkout failed for following
 * targets:" list (one path a line, up to "Is your cache up to date?"); the md5s of its
 * "Missing cache files:" warning where no path is named. At most 100.
 */
export function missingData(output: string): string[] {
  const out = new Set<string>();
  let mode: 'targets' | 'md5' | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (/Checkout failed for following targets:/i.test(line)) mode = 'targets';
    else if (/Missing cache files:/i.test(line)) mode = 'md5';
    else if (!line || /^Is your cache up to date\?|^<https?:|^(ERROR|WARNING):/i.test(line)) mode = undefined;
    else if (mode === 'targets') out.add(line);
    else if (mode === 'md5' && /^(md5|name):/.test(line)) out.add(line);
    if (out.size >= 100) break;
  }
  return [...out];
}

/**
 * Data at the commit's recorded versions: the worktree shares the project's DVC cache (its
 * config.local, ignored by git), fetches what the cache lacks, and checks it out. Answers
 * what could not be restored (in cache nor remote).
 */
export async function restoreData(run: Runner, dvc: string, projectDir: string, cacheDir: string): Promise<string[]> {
  await run([dvc, 'config', '--local', 'cache.dir', cacheDir], { cwd: projectDir });
  const fetch = await run([dvc, 'fetch'], { cwd: projectDir, timeoutMs: 30 * 60_000 });
  const checkout = await run([dvc, 'checkout'], { cwd: projectDir, timeoutMs: 30 * 60_000 });
  if (fetch.code === 0 && checkout.code === 0) return [];
  return missingData(`${fetch.stdout}\n${fetch.stderr}\n${checkout.stdout}\n${checkout.stderr}`);
}

/** Where a reproduction's worktree goes: a cache folder of ours, one per run and attempt. */
export function worktreeDir(cacheRoot: string, runId: string, stamp: number): string {
  return path.join(cacheRoot, 'reproduce', `${runId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}-${stamp.toString(36)}`);
}
