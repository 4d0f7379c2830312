// Stage status computed natively, in the shape of `dvc status --json`, from dvc.yaml,
// dvc.lock, the params files and DVC's md5 rules: no DVC process, and unchanged files
// are not re-hashed (HashCache).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { readBoundedText, YAML_JSON_CAP } from '../../common/boundedRead';
import { emptyIfMissing } from '../../common/errors';
import { parseYamlData } from '../../common/yamlData';
import { buildDvcModel, type DvcModel } from '../dvcModel';
import { expandStages, type ExpandedStage } from '../dvcExpand';
import { nodePipelineFs } from '../nodePipelineFs';
import { parseYaml } from '../yamlDocument';
import { HashCache } from './dvcHash';
import { parseDvcLock, type LockedFile } from './dvcLock';
import { paramsFileChanges, type ParamChange } from './paramsStatus';

type Change = ParamChange | 'not in cache';
export type StageStatusEntry =
  | { 'changed deps': Record<string, Change | Record<string, Change>> }
  | { 'changed outs': Record<string, Change> }
  | 'changed command'
  | 'always changed';
/** stage name → what changed; stages that are up to date are absent, as in `dvc status --json`. */
export type PipelineStatus = Record<string, StageStatusEntry[]>;

/**
 * The model and expanded stages of a dvc.yaml text, `${}` resolved against files in `dir`
 * read inside `root` (the workspace folder); `refused` says which of them were not read, why.
 */
export function loadPipeline(dir: string, dvcYamlText: string, root?: string): { model: DvcModel; stages: ExpandedStage[]; refused: string[] } {
  const model = buildDvcModel(parseYaml(dvcYamlText), dvcYamlText);
  const fs = nodePipelineFs(dir, root);
  const stages = expandStages(model, fs);
  return { model, stages, refused: [...(fs.refused?.().values() ?? [])] };
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
  /** dvc.yaml, dvc.lock and params files are read only inside it (the workspace folder); `dir` when omitted. */
  root?: string;
  hashes?: HashCache;
  /** Already expanded from the current dvc.yaml (the view has them); read when absent. */
  stages?: ExpandedStage[];
}

export async function computePipelineStatus(opts: StatusOptions): Promise<PipelineStatus> {
  const hashes = opts.hashes ?? new HashCache();
  const limits = { cap: YAML_JSON_CAP, root: opts.root ?? opts.dir };
  const stages = opts.stages ?? loadPipeline(opts.dir, await readBoundedText(path.join(opts.dir, 'dvc.yaml'), limits), limits.root).stages;
  // A dvc.lock that is refused (a FIFO, over the cap) fails the status with its reason.
  const lockText = await readBoundedText(path.join(opts.dir, 'dvc.lock'), limits).catch(emptyIfMissing);
  const locks = parseDvcLock(lockText);
  const cacheDir = path.join(findDvcRoot(opts.dir) ?? opts.dir, '.dvc', 'cache', 'files', 'md5');
  const inCache = (md5: string) => existsSync(path.join(cacheDir, md5.slice(0, 2), md5.slice(2)));
  const paramsCache = new Map<string, unknown>();
  const readParams = async (abs: string) => {
    if (!paramsCache.has(abs)) paramsCache.set(abs, await readBoundedText(abs, limits).then((t) => parseYamlData(t) ?? {}, () => undefined));
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
      // No values recorded for this file (a stage that never ran, or a params file added
      // to it since): DVC reports the whole file as new, not its keys.
      const locked = lock?.params[file];
      if (!locked || typeof locked !== 'object') {
        changedDeps[file] = 'new';
        continue;
      }
      const fileChanges = paramsFileChanges(keys, current, locked);
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
