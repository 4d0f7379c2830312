// Every DVC-tracked artifact of a project: the outs of its `.dvc` files and the cached
// outs recorded in its `dvc.lock` files. Pure file reading: no DVC process.
import { emptyIfMissing } from '../common/errors';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { parseDvcLock } from '../pipelines/status/dvcLock';
import { DataError, noDvcMessage, type DataProblem } from './dataErrors';
import { isDirHash, isValidMd5, parseDvcFile } from './dvcFile';
import { pushAll } from '../common/arrays';
import { isRefused, readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import { parseYamlData } from '../common/yamlData';

export type ArtifactSource = { kind: 'dvc-file'; file: string } | { kind: 'dvc-lock'; file: string; stage: string };

export interface Artifact {
  /** Posix path relative to the DVC root. */
  path: string;
  source: ArtifactSource;
  md5: string;
  size?: number;
  nfiles?: number;
  /** DVC 2 cache layout (no `hash: md5` recorded). */
  legacy: boolean;
  isDir: boolean;
}

export interface ArtifactListing {
  root: string;
  artifacts: Artifact[];
  /** Outs that could not be listed, and why: the rest are still listed. */
  problems: DataProblem[];
}

// Folders that never hold .dvc files worth listing, and can be huge.
const SKIP_DIRS = new Set(['.git', '.dvc', 'node_modules', '__pycache__', '.venv', 'venv', '.venv-peers', '.tox', '.mypy_cache', 'mlruns']);

const posix = (p: string) => p.split(path.sep).join('/');
const joinRel = (dir: string, p: string) => posix(path.normalize(path.join(dir, p)));

async function findFiles(root: string, rel = '', depth = 0, out: { dvc: string[]; locks: string[] } = { dvc: [], locks: [] }) {
  if (depth > 12) return out;
  const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) await findFiles(root, child, depth + 1, out);
    } else if (e.name.endsWith('.dvc') && e.name !== '.dvc') out.dvc.push(child);
    else if (e.name === 'dvc.lock') out.locks.push(child);
  }
  return out;
}

/** Outs declared `cache: false` (metrics and plots kept in git) per stage, relative to the stage's wdir. */
function uncachedOuts(dvcYamlText: string): { wdir: Record<string, string>; uncached: Set<string> } {
  const wdir: Record<string, string> = {};
  const uncached = new Set<string>();
  let data: { stages?: Record<string, Record<string, unknown>> } = {};
  try {
    data = (parseYamlData(dvcYamlText) ?? {}) as typeof data;
  } catch {
    return { wdir, uncached };
  }
  for (const [name, s] of Object.entries(data.stages ?? {})) {
    if (!s || typeof s !== 'object') continue;
    if (typeof s.wdir === 'string') wdir[name] = s.wdir;
    for (const kind of ['outs', 'metrics', 'plots']) {
      for (const o of (s[kind] as unknown[]) ?? []) {
        // Every kind of out is cached unless it says `cache: false` (DVC's default).
        if (o && typeof o === 'object') {
          const [p, opts] = Object.entries(o)[0] ?? [];
          const cache = (opts as { cache?: boolean } | null)?.cache ?? true;
          if (p && !cache) uncached.add(`${name}\0${p}`);
        }
      }
    }
  }
  return { wdir, uncached };
}

/** Artifacts recorded in one dvc.lock (repo-relative `file`), with problems of bad entries. */
export function lockArtifacts(lockText: string, dvcYamlText: string, file: string): { artifacts: Artifact[]; problems: DataProblem[] } {
  const dir = path.posix.dirname(file);
  const { wdir, uncached } = uncachedOuts(dvcYamlText);
  const legacy = !/\bhash:\s*md5\b/.test(lockText);
  const artifacts: Artifact[] = [];
  const problems: DataProblem[] = [];
  for (const [stage, locked] of Object.entries(parseDvcLock(lockText))) {
    for (const out of locked.outs) {
      if (uncached.has(`${stage}\0${out.path}`)) continue;
      const p = joinRel(path.posix.join(dir, wdir[stage] ?? '.'), out.path);
      if (!out.md5 || !isValidMd5(out.md5)) {
        problems.push({
          code: out.md5 ? 'malformed-hash' : 'missing-hash',
          file,
          message: `${file}: stage "${stage}" records ${out.md5 ? `a malformed md5 (${out.md5})` : 'no md5'} for "${out.path}"; run "dvc commit ${stage}" or "dvc repro ${stage}" to record it again.`,
        });
        continue;
      }
      artifacts.push({ path: p, source: { kind: 'dvc-lock', file, stage }, md5: out.md5, size: out.size, nfiles: out.nfiles, legacy, isDir: isDirHash(out.md5) });
    }
  }
  return { artifacts, problems };
}

/** Every tracked artifact under `root` (the folder holding `.dvc/`). */
export async function listArtifacts(root: string): Promise<ArtifactListing> {
  if (!existsSync(path.join(root, '.dvc'))) throw new DataError('no-dvc', noDvcMessage(root));
  const found = await findFiles(root);
  const artifacts: Artifact[] = [];
  const problems: DataProblem[] = [];
  // Regular files inside the project, up to the YAML/JSON cap: a refused one (a FIFO, a
  // link out, too large) is a problem of its own and the rest still lists.
  const read = (file: string) =>
    readBoundedText(path.join(root, file), { cap: YAML_JSON_CAP, root }).catch((err: unknown) => {
      if (isRefused(err)) problems.push({ code: 'unreadable-dvc-file', file, message: `${file}: ${err.message}` });
      return Promise.reject(err as Error);
    });
  for (const file of found.dvc.sort()) {
    const text = await read(file).catch(() => undefined);
    if (text === undefined) continue;
    const parsed = parseDvcFile(text, file);
    pushAll(problems, parsed.problems);
    const dir = path.posix.dirname(file);
    for (const o of parsed.outs) {
      artifacts.push({ path: joinRel(dir, o.path), source: { kind: 'dvc-file', file }, md5: o.md5, size: o.size, nfiles: o.nfiles, legacy: o.legacy, isDir: isDirHash(o.md5) });
    }
  }
  for (const file of found.locks.sort()) {
    const lockText = await read(file).catch((err: unknown) => (isRefused(err) ? undefined : Promise.reject(err as Error)));
    if (lockText === undefined) continue;
    const yamlText = await read(path.join(path.dirname(file), 'dvc.yaml')).catch((err: NodeJS.ErrnoException) => (isRefused(err) ? '' : emptyIfMissing(err)));
    const got = lockArtifacts(lockText, yamlText, file);
    pushAll(artifacts, got.artifacts);
    pushAll(problems, got.problems);
  }
  artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, artifacts, problems };
}
