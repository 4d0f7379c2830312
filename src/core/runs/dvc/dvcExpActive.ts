// Experiments running right now. DVC writes, for each executor, under
// .dvc/tmp/exps/run/<name>/: `<name>.run` (ExecutorInfo JSON: name, baseline_rev,
// status 0 pending, 1 preparing, 2 running, 3 success, 4 failed, ...) and `<name>.json`
// (the process: pid). `<name>` is `workspace` for `dvc exp run` in the workspace, the
// stash commit for queued and --temp runs. An info file outlives its run (DVC leaves
// status 1 behind), so a run counts only while its process lives; one whose process is
// gone without a return code died with its worker (`died`). A queued or --temp run
// works in its own checkout (`root_dir`, under .dvc/tmp/exps/), and `dvc exp show` reads
// that checkout's files for it, not the stash commit (queue/tempdir.py, celery.py).
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { readBoundedText, YAML_JSON_CAP } from '../../common/boundedRead';
import * as path from 'node:path';

export interface ActiveRun {
  /** `workspace`, or the stash commit the run started from. */
  executor: string;
  name: string;
  baseline: string;
  /** The DVC root inside the run's own checkout; absent for the workspace. */
  root?: string;
  /**
   * Its process is gone and nobody recorded how it ended: the worker that ran it died with
   * it (killed, out of memory, the machine rebooted). DVC then keeps calling it running
   * forever (`dvc exp show`, `dvc queue status`); its log (`dvc queue logs`) is still there.
   */
  died?: true;
}

const ACTIVE_STATUS = new Set([0, 1, 2]);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function activeRuns(dvcRoot: string): Promise<ActiveRun[]> {
  const runDir = path.join(dvcRoot, '.dvc', 'tmp', 'exps', 'run');
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return [];
  }
  // Every finished run leaves its folder behind: look for the process file first, with one
  // stat each, before reading anything.
  // The names come from readdir (no separators, no dot segments): plain concatenation, as
  // path.join would normalize each whole path again, character by character, per run.
  const live = names.filter((name) => existsSync(`${runDir}${path.sep}${name}${path.sep}${name}.json`));
  const found = await Promise.all(
    live.map(async (name): Promise<ActiveRun | undefined> => {
      try {
        const info = JSON.parse(await readBoundedText(path.join(runDir, name, `${name}.run`), { cap: YAML_JSON_CAP, root: dvcRoot })) as { name?: string; baseline_rev?: string; status?: number; root_dir?: unknown; dvc_dir?: unknown };
        if (!ACTIVE_STATUS.has(info.status ?? -1) || !info.baseline_rev) return undefined;
        const proc = JSON.parse(await readBoundedText(path.join(runDir, name, `${name}.json`), { cap: YAML_JSON_CAP, root: dvcRoot })) as { pid?: number; returncode?: number | null };
        if (typeof proc.pid !== 'number' || proc.returncode != null) return undefined;
        // A run that ends normally gets its return code written, or its process file removed, by the process that ran it.
        const died = !alive(proc.pid);
        return { executor: name, name: info.name ?? name, baseline: info.baseline_rev, root: name === 'workspace' || died ? undefined : checkoutRoot(dvcRoot, info.root_dir, info.dvc_dir), ...(died ? { died: true as const } : {}) };
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((r): r is ActiveRun => !!r);
}

/** The run's DVC root: `root_dir` plus the folder of `dvc_dir`; only a folder inside the project (DVC makes it under .dvc/tmp/exps). */
function checkoutRoot(dvcRoot: string, rootDir: unknown, dvcDir: unknown): string | undefined {
  if (typeof rootDir !== 'string' || !rootDir) return undefined;
  const root = path.resolve(rootDir, typeof dvcDir === 'string' ? path.dirname(dvcDir) : '.');
  const exps = path.resolve(dvcRoot, '.dvc', 'tmp', 'exps');
  // DVC may write the real path of a project opened through a symbolic link.
  const real = (() => {
    try {
      return realpathSync(exps);
    } catch {
      return exps;
    }
  })();
  const under = (base: string) => {
    const rel = path.relative(base, root);
    return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  return under(exps) || under(real) ? root : undefined;
}

/**
 * A queued run (by its executor, the stash commit, or its name): `running` while DVC says so
 * and its process lives, `died` when its process is gone without an exit status, else
 * undefined (not started, or finishing: DVC records success before its process has
 * committed the experiment and exited).
 */
export async function runState(dvcRoot: string, run: { id: string; name: string }): Promise<'running' | 'died' | undefined> {
  const found = (await activeRuns(dvcRoot)).find((r) => r.executor === run.id || r.name === run.name);
  return found ? (found.died ? 'died' : 'running') : undefined;
}
