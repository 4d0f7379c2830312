// Capture of a run's provenance, piece by piece, each a function over an injected Runner so
// that it runs where the run runs (here, or inside a container) and is tested on canned
// output. Every piece answers something: what cannot be found out is "unknown".
import { createHash } from 'node:crypto';
import { copyFile, lstat, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isMap } from 'yaml';
import { documentData, parseUntrusted } from '../common/yamlData';
import { YAML_JSON_CAP, readBoundedText } from '../common/boundedRead';
import { flattenLeaves } from '../common/flatten';
import { parseDvcLock, type LockedStage } from '../pipelines/status/dvcLock';
import { stripCredentials } from './credentials';
import type { CodeProvenance, DataProvenance, GpuDescription } from './types';
import { UNKNOWN } from './types';
import type { Runner } from './runner';

/** The patch kept with a run: past this it is cut and marked capped (it would not apply). */
export const PATCH_CAP = 5 * 1024 * 1024;
/** The patch's per-file hashes kept in a tag: at most this many files. */
const MAX_FILES = 200;

const short = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 12);
const firstLine = (s: string) => s.split('\n')[0].trim();

/** HEAD, branch and origin's URL (credentials stripped). A folder outside git: all absent. */
export async function captureGitHead(run: Runner, cwd: string): Promise<Pick<CodeProvenance, 'commit' | 'branch' | 'repoUrl'>> {
  const [head, branch, remote] = await Promise.all([
    run(['git', 'rev-parse', '--verify', '-q', 'HEAD'], { cwd }),
    run(['git', 'symbolic-ref', '-q', '--short', 'HEAD'], { cwd }),
    run(['git', 'remote', 'get-url', 'origin'], { cwd }),
  ]);
  return {
    commit: head.code === 0 ? firstLine(head.stdout) || undefined : undefined,
    branch: branch.code === 0 ? firstLine(branch.stdout) || undefined : undefined,
    repoUrl: remote.code === 0 && firstLine(remote.stdout) ? stripCredentials(firstLine(remote.stdout)) : undefined,
  };
}

/** The files a `git diff` patch touches, each with a hash of its part of the patch. */
export function patchFiles(patch: string): Record<string, string> {
  const out: Record<string, string> = {};
  const starts: number[] = [];
  for (let i = patch.startsWith('diff --git ') ? 0 : patch.indexOf('\ndiff --git '); i >= 0; i = patch.indexOf('\ndiff --git ', i + 1)) {
    starts.push(i === 0 && patch.startsWith('diff --git ') ? 0 : i + 1);
    if (starts.length > MAX_FILES) break;
  }
  for (let k = 0; k < Math.min(starts.length, MAX_FILES); k++) {
    const part = patch.slice(starts[k], k + 1 < starts.length ? starts[k + 1] : undefined);
    const header = firstLine(part);
    // "diff --git a/x b/x": the b/ side names the file as the run saw it.
    const m = / b\/(.+)$/.exec(header);
    if (m) out[m[1]] = short(part);
  }
  return out;
}

/** Untracked files above this size stay out of the patch and are named as skipped. */
export const UNTRACKED_FILE_CAP = 1024 * 1024;
/** At most this many untracked files, and this many of their bytes altogether, go in the patch (the rest: skipped). */
export const UNTRACKED_MAX_FILES = 1000;
export const UNTRACKED_MAX_BYTES = 4 * 1024 * 1024;
/** Skipped files named in the record: at most this many (all are counted). */
const MAX_SKIPPED_NAMED = 50;

export interface UntrackedFiles {
  /** The repository's top folder; absent outside git. */
  top?: string;
  /** This working tree's index file, absolute (a linked worktree has its own). */
  index?: string;
  /** Untracked, not ignored files (paths from the top) that go in the patch. */
  kept: string[];
  /** Those left out (too big, or past the count or bytes limits): at most MAX_SKIPPED_NAMED names. */
  skipped: string[];
  /** How many were left out (at least: a listing cut at its byte limit counts one for the rest). */
  skippedCount: number;
}

const NO_UNTRACKED: UntrackedFiles = { kept: [], skipped: [], skippedCount: 0 };

/**
 * The untracked files the patch will carry, as `git add -A` would see them (.gitignore
 * respected, so DVC-tracked data stays out), sized on this machine and bounded. Listed
 * before the run starts, so that what the run itself writes is not taken for the user's.
 * `lock`: the project's dvc.lock as the launch read it (`readLockedStages`); else read here.
 */
export async function listUntracked(run: Runner, cwd: string, lock?: Promise<LockedStages>): Promise<UntrackedFiles> {
  try {
    const where = await run(['git', 'rev-parse', '--show-toplevel', '--git-path', 'index'], { cwd });
    const [top, index] = where.stdout.split('\n').map((l) => l.trim());
    if (where.code !== 0 || !top || !index) return NO_UNTRACKED;
    // From the top: ls-files lists only the folder it runs in.
    const others = await run(['git', 'ls-files', '-z', '--others', '--exclude-standard'], { cwd: top, maxBytes: 1024 * 1024 });
    if (others.code !== 0 && !others.truncated) return { ...NO_UNTRACKED, top, index: path.resolve(cwd, index) };
    const listed = others.stdout.split('\0');
    // The last piece is "" after the final NUL, or a name cut by the byte limit.
    listed.pop();
    // DVC's data is restored by DVC, never carried in the patch, even where no .gitignore
    // names it (DVC writes none in a linked git worktree, where reproductions run).
    const outs = await dvcOutputs(top, cwd, listed, await (lock ?? readLockedStages(projectReader(cwd))));
    const names = listed.filter((n) => !ancestors(n).some((a) => outs.has(a)));
    let skippedCount = others.truncated ? 1 : 0;
    const skipped: string[] = [];
    const skip = (n: string) => void (skippedCount++, skipped.length < MAX_SKIPPED_NAMED && skipped.push(n));
    const sizes = await Promise.all(names.slice(0, UNTRACKED_MAX_FILES).map((n) => lstat(path.join(top, n)).then((st) => st.size, () => -1)));
    const kept: string[] = [];
    let bytes = 0;
    names.forEach((n, k) => {
      const size = k < sizes.length ? sizes[k] : Infinity;
      if (size < 0) return; // gone since the listing
      if (size > UNTRACKED_FILE_CAP || bytes + size > UNTRACKED_MAX_BYTES) return skip(n);
      bytes += size;
      kept.push(n);
    });
    return { top, index: path.resolve(cwd, index), kept, skipped, skippedCount };
  } catch {
    return NO_UNTRACKED;
  }
}

/** A path and its folders (at most 32 levels: bounded on a crafted path), "a/b/c" → c, b, a. */
function ancestors(rel: string): string[] {
  const out: string[] = [];
  for (let p = rel; p && p !== '.' && p !== '/' && out.length < 32; p = path.posix.dirname(p)) out.push(p);
  return out;
}

/**
 * DVC outputs among the untracked paths (from the top): the outs in the project's dvc.lock,
 * and whatever a `<path>.dvc` beside it tracks (`dvc add data/raw` → `data/raw.dvc`).
 */
async function dvcOutputs(top: string, cwd: string, names: readonly string[], lock: LockedStages): Promise<Set<string>> {
  const outs = new Set<string>();
  const toTop = (p: string) => path.relative(top, path.resolve(cwd, p)).split(path.sep).join('/');
  for (const stage of Object.values(lock)) for (const o of stage.outs) outs.add(toTop(o.path));
  const candidates = new Set<string>();
  for (const n of names) {
    for (const a of ancestors(n)) candidates.add(a);
    if (candidates.size > 10_000) break;
  }
  await Promise.all([...candidates].map((a) => lstat(path.join(top, `${a}.dvc`)).then(() => outs.add(a), () => undefined)));
  return outs;
}

/**
 * Uncommitted changes, binary-safe, capped at `cap` bytes: tracked files' changes and the
 * untracked files `listed` (as new files). The untracked ones go in through a temporary
 * copy of the index marked intent-to-add: the user's index, working tree and object store
 * are left as they were.
 */
export async function capturePatch(
  run: Runner,
  cwd: string,
  cap = PATCH_CAP,
  listed?: Promise<UntrackedFiles>,
): Promise<{ patch: string } & Omit<CodeProvenance, 'commit' | 'branch' | 'repoUrl'>> {
  const u = await (listed ?? listUntracked(run, cwd)).catch(() => NO_UNTRACKED);
  let skipped = u.skipped;
  let skippedCount = u.skippedCount;
  let added: string[] = [];
  let tmp: string | undefined;
  try {
    let env: Record<string, string> | undefined;
    if (u.kept.length && u.top && u.index) {
      try {
        tmp = await mkdtemp(path.join(tmpdir(), 'mlops-index-'));
        const index = path.join(tmp, 'index');
        const paths = path.join(tmp, 'paths');
        await copyFile(u.index, index);
        const top = u.top;
        const addAll = async (files: string[]) => {
          await writeFile(paths, files.map((n) => `${n}\0`).join(''));
          // Literal pathspecs: a file named "*.py" means that file only.
          return (await run(['git', 'add', '--intent-to-add', `--pathspec-from-file=${paths}`, '--pathspec-file-nul'], { cwd: top, env: { GIT_INDEX_FILE: index, GIT_LITERAL_PATHSPECS: '1' } })).code === 0;
        };
        let files = u.kept;
        // One that vanished since the listing fails the whole add: once more without those.
        if (!(await addAll(files))) {
          const still = await Promise.all(files.map((n) => lstat(path.join(top, n)).then(() => true, () => false)));
          files = files.filter((_, k) => still[k]);
          if (!files.length || files.length === u.kept.length || !(await addAll(files))) throw new Error('git add --intent-to-add failed');
        }
        env = { GIT_INDEX_FILE: index };
        added = files;
      } catch {
        // Without the temporary index the untracked files cannot go in: say so, keep the rest.
        skippedCount += u.kept.length;
        skipped = [...skipped, ...u.kept].slice(0, MAX_SKIPPED_NAMED);
      }
    }
    // --no-ext-diff / --no-color: a user's diff settings must not change what is stored.
    const r = await run(['git', 'diff', '--binary', '--no-ext-diff', '--no-color', 'HEAD'], { cwd, maxBytes: cap, ...(env ? { env } : {}) });
    const skippedFacts = skippedCount ? { skippedUntracked: skipped, skippedUntrackedCount: skippedCount } : {};
    if (r.code !== 0 && !r.truncated) return { patch: '', changedFiles: [], patchBytes: 0, patchCapped: false, fileHashes: {}, ...skippedFacts };
    const fileHashes = patchFiles(r.stdout);
    // The untracked files are named even where a capped patch or the hash limit leaves them out.
    const changedFiles = [...new Set([...Object.keys(fileHashes), ...added])];
    return { patch: r.stdout, changedFiles, patchBytes: Buffer.byteLength(r.stdout), patchCapped: !!r.truncated, fileHashes, ...skippedFacts };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** GPU model, driver and CUDA version from nvidia-smi; none or failing → "unknown". */
export async function captureGpu(run: Runner): Promise<GpuDescription> {
  const [query, plain] = await Promise.all([
    run(['nvidia-smi', '--query-gpu=name,driver_version', '--format=csv,noheader'], { timeoutMs: 5000 }),
    run(['nvidia-smi'], { timeoutMs: 5000 }),
  ]);
  return parseGpu(query.code === 0 ? query.stdout : '', plain.code === 0 ? plain.stdout : '');
}

/** From `--query-gpu=name,driver_version --format=csv,noheader` and plain nvidia-smi's header. */
export function parseGpu(queryCsv: string, plainText: string): GpuDescription {
  const rows = queryCsv
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const at = l.lastIndexOf(',');
      return at < 0 ? { name: l, driver: '' } : { name: l.slice(0, at).trim(), driver: l.slice(at + 1).trim() };
    });
  const names = [...new Set(rows.map((r) => r.name))];
  const model = !rows.length ? UNKNOWN : names.length === 1 ? (rows.length > 1 ? `${rows.length}× ${names[0]}` : names[0]) : names.join(' + ');
  const cuda = /CUDA Version:\s*([0-9.]+)/.exec(plainText)?.[1];
  const driver = rows[0]?.driver || /Driver Version:\s*([0-9.]+)/.exec(plainText)?.[1];
  return { model, driver: driver || UNKNOWN, cuda: cuda || UNKNOWN };
}

/** The interpreter's version and `pip freeze` of its environment. */
export async function capturePython(run: Runner, python: string, cwd?: string): Promise<{ python: string; pipFreeze: string }> {
  const [v, f] = await Promise.all([
    run([python, '-c', 'import sys; print(sys.version.split()[0])'], { cwd, timeoutMs: 15000 }),
    run([python, '-m', 'pip', 'freeze', '--disable-pip-version-check'], { cwd, timeoutMs: 30000, maxBytes: 1024 * 1024 }),
  ]);
  return { python: v.code === 0 ? firstLine(v.stdout) || UNKNOWN : UNKNOWN, pipFreeze: f.code === 0 ? f.stdout : '' };
}

/**
 * A stamp of a virtual environment's installed packages: its site-packages folders' mtimes
 * (pip adds or removes a *.dist-info folder there on every install). Undefined where the
 * interpreter is not in a venv layout we know: then nothing is cached.
 */
export async function venvStamp(python: string): Promise<string | undefined> {
  try {
    const lib = path.join(path.dirname(path.dirname(python)), 'lib');
    const versions = (await readdir(lib)).filter((d) => /^python\d/.test(d));
    if (!versions.length) return undefined;
    const times = await Promise.all(versions.map(async (v) => `${v}:${(await stat(path.join(lib, v, 'site-packages'))).mtimeMs}`));
    return `${python}|${times.join('|')}`;
  } catch {
    return undefined;
  }
}

const freezeCache = new Map<string, { python: string; pipFreeze: string }>();

/** capturePython, reusing the last answer while the environment's stamp is unchanged (pip freeze costs a second of CPU). */
export async function capturePythonCached(run: Runner, python: string, cwd: string | undefined, stamp: string | undefined): Promise<{ python: string; pipFreeze: string }> {
  const hit = stamp ? freezeCache.get(stamp) : undefined;
  if (hit) return hit;
  const got = await capturePython(run, python, cwd);
  if (stamp && got.python !== UNKNOWN && got.pipFreeze) {
    if (freezeCache.size > 20) freezeCache.clear();
    freezeCache.set(stamp, got);
  }
  return got;
}

/** Reads a project file (relative to the dvc.yaml folder); undefined when absent or unreadable. */
export type ReadText = (rel: string) => Promise<string | undefined>;

/** The project folder's files, each read bounded (a crafted dvc.lock or .dvc file costs bounded work). */
export function projectReader(dir: string): ReadText {
  return (rel) => readBoundedText(path.join(dir, rel), { cap: YAML_JSON_CAP }).catch(() => undefined);
}

/** A project's dvc.lock, stage by stage; none when it is absent, unreadable or not one. */
export type LockedStages = Record<string, LockedStage>;

/**
 * dvc.lock read and parsed: a launch does it once, for the patch's DVC-output filter
 * (`listUntracked`) and the data part (`captureLockData`). Never rejects.
 */
export async function readLockedStages(read: ReadText): Promise<LockedStages> {
  try {
    const text = await read('dvc.lock');
    return text ? parseDvcLock(text) : {};
  } catch {
    return {};
  }
}

/**
 * Data and params as dvc.lock records them for the stages run (`stages`; none → every
 * stage), and the md5s of the `.dvc` files their deps come from (a dep inside a folder
 * tracked by `data/raw.dvc` reads that file's out). `locked`: dvc.lock already read
 * (`readLockedStages`); else it is read through `read`.
 */
export async function captureLockData(read: ReadText, stages?: readonly string[], locked?: LockedStages): Promise<{ data: DataProvenance; params: Record<string, string> }> {
  const data: DataProvenance = { deps: {}, dvcFiles: {} };
  const params: Record<string, string> = {};
  const lock = locked ?? (await readLockedStages(read));
  const wanted = stages?.length ? stages.filter((s) => s in lock) : Object.keys(lock);
  for (const name of wanted) {
    for (const d of lock[name].deps) if (d.md5) data.deps[d.path] = d.md5;
    for (const values of Object.values(lock[name].params)) {
      for (const [k, v] of flattenLeaves(values, '.')) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  const candidates = new Set<string>();
  for (const dep of Object.keys(data.deps)) {
    // The dep itself and its folders, at most 32 levels: bounded on a crafted path.
    let p = path.posix.normalize(dep);
    for (let i = 0; i < 32 && p && p !== '.' && p !== '/' && !p.startsWith('..'); i++, p = path.posix.dirname(p)) candidates.add(`${p}.dvc`);
  }
  await Promise.all(
    [...candidates].map(async (file) => {
      const md5 = dvcFileMd5(await read(file));
      if (md5) data.dvcFiles[file] = md5;
    }),
  );
  return { data, params };
}

/** The md5 of a `.dvc` file's first out; undefined for anything else. */
export function dvcFileMd5(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const doc = parseUntrusted(text);
  if (doc.errors.length || !isMap(doc.contents)) return undefined;
  try {
    const outs = (documentData(doc) as { outs?: unknown }).outs;
    const first = Array.isArray(outs) ? (outs[0] as { md5?: unknown } | undefined) : undefined;
    return typeof first?.md5 === 'string' ? first.md5 : undefined;
  } catch {
    return undefined;
  }
}
