// Stage status computed natively, in the shape of `dvc status --json`, from dvc.yaml,
// dvc.lock, the params files and DVC's md5 rules: no DVC process, and unchanged files
// are not re-hashed (HashCache).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseYamlData } from '../../common/yamlData';
import { buildDvcModel, type DvcModel } from '../dvcModel';
import { expandStages, type ExpandedStage } from '../dvcExpand';
import { lookupPath, splitKeyPath } from '../paramsFile';
import { nodePipelineFs } from '../nodePipelineFs';
import { parseYaml } from '../yamlDocument';
import { HashCache } from './dvcHash';
import { parseDvcLock, type LockedFile } from './dvcLock';

type Change = 'modified' | 'deleted' | 'new' | 'not in cache';
export type StageStatusEntry =
  | { 'changed deps': Record<string, Change | Record<string, Change>> }
  | { 'changed outs': Record<string, Change> }
  | 'changed command'
  | 'always changed';
/** stage name → what changed; stages that are up to date are absent, as in `dvc status --json`. */
export type PipelineStatus = Record<string, StageStatusEntry[]>;

/** The model and expanded stages of a dvc.yaml text, `${}` resolved against files in `dir`. */
export function loadPipeline(dir: string, dvcYamlText: string): { model: DvcModel; stages: ExpandedStage[] } {
  const model = buildDvcModel(parseYaml(dvcYamlText), dvcYamlText);
  return { model, stages: expandStages(model, nodePipelineFs(dir)) };
}


/** Leaves of `value` under `prefix` with dotted keys, as DVC records params in dvc.lock. */
function flatten(prefix: string, value: unknown, out: Record<string, unknown>): void {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else out[prefix] = value;
}

/** The folder holding `.dvc/`, from `dir` upwards. */
export function findDvcRoot(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.dvc'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

export interface StatusOptions {
  /** Folder of dvc.yaml. */
  dir: string;
  hashes?: HashCache;
  /** Already expanded from the current dvc.yaml (the view has them); read when absent. */
  stages?: ExpandedStage[];
}

export async function computePipelineStatus(opts: StatusOptions): Promise<PipelineStatus> {
  const hashes = opts.hashes ?? new HashCache();
  const stages = opts.stages ?? loadPipeline(opts.dir, await readFile(path.join(opts.dir, 'dvc.yaml'), 'utf8')).stages;
  const lockText = await readFile(path.join(opts.dir, 'dvc.lock'), 'utf8').catch(() => '');
  const locks = parseDvcLock(lockText);
  const cacheDir = path.join(findDvcRoot(opts.dir) ?? opts.dir, '.dvc', 'cache', 'files', 'md5');
  const inCache = (md5: string) => existsSync(path.join(cacheDir, md5.slice(0, 2), md5.slice(2)));
  const paramsCache = new Map<string, unknown>();
  const readParams = async (abs: string) => {
    if (!paramsCache.has(abs)) paramsCache.set(abs, await readFile(abs, 'utf8').then((t) => parseYamlData(t) ?? {}, () => undefined));
    return paramsCache.get(abs);
  };

  const result: PipelineStatus = {};
  for (const def of stages) {
    const name = def.name;
    if (def.frozen) continue;
    const lock = locks[name];
    const base = path.resolve(opts.dir, def.wdir);
    const entries: StageStatusEntry[] = [];

    const changedDeps: Record<string, Change | Record<string, Change>> = {};
    const compare = async (p: string, locked: LockedFile | undefined): Promise<Change | undefined> => {
      const now = await hashes.any(path.join(base, p));
      if (!now) return 'deleted';
      // A stage that never ran has no lock entry: DVC calls its existing files modified.
      if (!locked?.md5) return lock ? 'new' : 'modified';
      return locked.md5 === now.md5 ? undefined : 'modified';
    };
    for (const dep of def.deps) {
      const change = await compare(dep, lock?.deps.find((d) => d.path === dep));
      if (change) changedDeps[dep] = change;
    }
    for (const { file, keys } of def.params) {
      const current = await readParams(path.join(base, file));
      if (current === undefined) {
        changedDeps[file] = 'deleted';
        continue;
      }
      // A stage that never ran: DVC reports the whole params file as new, not its keys.
      if (!lock) {
        changedDeps[file] = 'new';
        continue;
      }
      const now: Record<string, unknown> = {};
      if (keys === 'all') flatten('', current, now);
      else for (const k of keys) {
        const hit = lookupPath(current, splitKeyPath(k));
        if (hit.found) flatten(k, hit.value, now);
      }
      const before = lock?.params[file] ?? {};
      const fileChanges: Record<string, Change> = {};
      for (const [k, v] of Object.entries(before)) {
        if (!(k in now)) fileChanges[k] = 'deleted';
        else if (!isDeepStrictEqual(now[k], v)) fileChanges[k] = 'modified';
      }
      for (const k of Object.keys(now)) if (!(k in before)) fileChanges[k] = 'new';
      if (Object.keys(fileChanges).length) changedDeps[file] = fileChanges;
    }
    if (Object.keys(changedDeps).length) entries.push({ 'changed deps': changedDeps });

    const changedOuts: Record<string, Change> = {};
    for (const out of def.outs) {
      const locked = lock?.outs.find((o) => o.path === out.path);
      const change = await compare(out.path, locked);
      if (change) changedOuts[out.path] = change;
      else if (out.cache && locked?.md5 && !inCache(locked.md5)) changedOuts[out.path] = 'not in cache';
    }
    if (Object.keys(changedOuts).length) entries.push({ 'changed outs': changedOuts });

    if (lock && lock.cmd !== def.cmd) entries.push('changed command');
    if (def.alwaysChanged) entries.push('always changed');
    if (entries.length) result[name] = entries;
  }
  return result;
}
