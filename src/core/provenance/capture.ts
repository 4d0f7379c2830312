// Capture of a run's provenance, piece by piece, each a function over an injected Runner so
// that it runs where the run runs (here, or inside a container) and is tested on canned
// output. Every piece answers something: what cannot be found out is "unknown".
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isMap } from 'yaml';
import { documentData, parseUntrusted } from '../common/yamlData';
import { flattenLeaves } from '../common/flatten';
import { parseDvcLock } from '../pipelines/status/dvcLock';
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

/** Uncommitted changes of tracked files, binary-safe, capped at `cap` bytes. */
export async function capturePatch(run: Runner, cwd: string, cap = PATCH_CAP): Promise<{ patch: string } & Omit<CodeProvenance, 'commit' | 'branch' | 'repoUrl'>> {
  // --no-ext-diff / --no-color: a user's diff settings must not change what is stored.
  const r = await run(['git', 'diff', '--binary', '--no-ext-diff', '--no-color', 'HEAD'], { cwd, maxBytes: cap });
  if (r.code !== 0 && !r.truncated) return { patch: '', changedFiles: [], patchBytes: 0, patchCapped: false, fileHashes: {} };
  const fileHashes = patchFiles(r.stdout);
  return { patch: r.stdout, changedFiles: Object.keys(fileHashes), patchBytes: Buffer.byteLength(r.stdout), patchCapped: !!r.truncated, fileHashes };
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

/**
 * Data and params as dvc.lock records them for the stages run (`stages`; none → every
 * stage), and the md5s of the `.dvc` files their deps come from (a dep inside a folder
 * tracked by `data/raw.dvc` reads that file's out).
 */
export async function captureLockData(read: ReadText, stages?: readonly string[]): Promise<{ data: DataProvenance; params: Record<string, string> }> {
  const data: DataProvenance = { deps: {}, dvcFiles: {} };
  const params: Record<string, string> = {};
  const lockText = await read('dvc.lock');
  const lock = lockText ? parseDvcLock(lockText) : {};
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
