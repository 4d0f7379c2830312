// What the fuzz tests share: the seed (MLOPS_FUZZ_SEED, fixed by default so CI replays
// the same inputs), the bounds, one generator per input so that seed + kind + index
// names an input whatever the time budget cut, and the record of a failing input.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { rng, type Rng } from './mutations';

export const SEED = Number(process.env.MLOPS_FUZZ_SEED ?? 1313) >>> 0;
/** Inputs per kind at most; the time budget may stop a kind earlier (printed). */
export const MAX_PER_KIND = Number(process.env.MLOPS_FUZZ_COUNT ?? 150);
/** Wall time for one test file's inputs, all kinds together. */
export const BUDGET_MS = Number(process.env.MLOPS_FUZZ_MS ?? 15000);
export const REPLY_MS = 2000;
export const RSS_LIMIT_MB = 1024;
/** Past this a child is taken to hang and is killed (the reply bound is checked apart). */
export const HANG_MS = 15000;

export const failuresDir = path.resolve(__dirname, '../../../test-results/fuzz-failures');

/** The generator of input `index` of `kind`: independent of how many inputs ran before. */
export function inputRng(kind: string, index: number): Rng {
  let h = SEED ^ 0x9e3779b9;
  for (const c of `${kind}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return rng(h);
}

export interface Failure {
  kind: string;
  index: number;
  steps: string[];
  reason: string;
}

const folderOf = (kind: string) => kind.replace(/[^\w-]/g, '-');

/** Clears what an earlier run of this seed recorded for these kinds: its folders hold this run's failures only. */
export function clearFailures(kinds: readonly string[]): void {
  if (!existsSync(failuresDir)) return;
  for (const name of readdirSync(failuresDir)) if (kinds.some((k) => name.startsWith(`${folderOf(k)}-seed${SEED}-`))) rmSync(path.join(failuresDir, name), { recursive: true, force: true });
}

/** Writes the failing input (its files, relative paths kept) and what was done to it. */
export function recordFailure(f: Failure, files: Record<string, string | Buffer>): string {
  const dir = path.join(failuresDir, `${folderOf(f.kind)}-seed${SEED}-${f.index}`);
  mkdirSync(dir, { recursive: true });
  for (const [rel, data] of Object.entries(files)) {
    const file = path.join(dir, 'input', rel || 'input');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
  }
  writeFileSync(path.join(dir, 'failure.json'), JSON.stringify({ seed: SEED, ...f, replay: `MLOPS_FUZZ_SEED=${SEED}` }, null, 2));
  return dir;
}

export class Tally {
  readonly tried: Record<string, number> = {};
  readonly notes: string[] = [];
  maxReplyMs = 0;
  /** CPU time of the slowest reply (what the 2 s bound is checked on where it can be measured). */
  maxReplyCpuMs = 0;
  maxRssMb = 0;
  readonly failures: string[] = [];

  /** How inputs came out per kind (read clean, read with warnings, refused): shows the mutations reach past the first check. */
  readonly outcomes: Record<string, Record<string, number>> = {};

  outcome(kind: string, what: string): void {
    const o = (this.outcomes[kind] ??= {});
    o[what] = (o[what] ?? 0) + 1;
  }

  count(kind: string): void {
    this.tried[kind] = (this.tried[kind] ?? 0) + 1;
  }

  print(what: string, ms: number): void {
    const kinds = Object.entries(this.tried).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`      fuzz ${what} (seed ${SEED}): ${kinds || 'nothing'} inputs; max reply ${Math.round(this.maxReplyMs)} ms wall, ${Math.round(this.maxReplyCpuMs)} ms CPU; max RSS ${Math.round(this.maxRssMb)} MB; ${this.failures.length} failures; ${Math.round(ms / 1000)} s`);
    for (const [k, o] of Object.entries(this.outcomes)) console.log(`      ${k}: ${Object.entries(o).map(([w, n]) => `${n} ${w}`).join(', ')}`);
    for (const n of this.notes) console.log(`      ${n}`);
  }
}
