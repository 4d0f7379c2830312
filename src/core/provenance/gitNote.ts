// Provenance of a DVC experiment as a git note on its commit (`refs/notes/mlops`): the
// commit already holds code, params and deps; the note adds what it cannot (environment,
// GPU, image, exit status). A note changes no tree and can be pushed with the refs.
import type { Runner } from './runner';
import type { Provenance } from './types';

export const NOTES_REF = 'mlops';
const NOTE_MAX = 1024 * 1024;

export function noteText(p: Provenance): string {
  return `${JSON.stringify(p, null, 1)}\n`;
}

/** A note's record; undefined for anything that is not one of ours. */
export function parseNote(text: string): Provenance | undefined {
  if (text.length > NOTE_MAX) return undefined;
  try {
    const v = JSON.parse(text) as Partial<Provenance>;
    if (v?.version !== 1 || typeof v.code !== 'object' || typeof v.environment !== 'object' || typeof v.timing !== 'object' || typeof v.data !== 'object') return undefined;
    return v as Provenance;
  } catch {
    return undefined;
  }
}

/** Writes (replacing) the note on `commit`. */
export async function writeNote(run: Runner, cwd: string, commit: string, p: Provenance): Promise<void> {
  // -F - is not available through a runner without stdin: -m carries the text as one argv item.
  const r = await run(['git', 'notes', `--ref=${NOTES_REF}`, 'add', '-f', '-m', noteText(p), commit], { cwd });
  if (r.code !== 0) throw new Error(`git notes add failed: ${r.stderr.trim().split('\n')[0]}`);
}

export async function readNote(run: Runner, cwd: string, commit: string): Promise<Provenance | undefined> {
  const r = await run(['git', 'notes', `--ref=${NOTES_REF}`, 'show', commit], { cwd, maxBytes: NOTE_MAX });
  return r.code === 0 ? parseNote(r.stdout) : undefined;
}

/** The experiment refs (refs/exps/...) and their commits, to find the one a run made. */
export async function expRefs(run: Runner, cwd: string): Promise<Map<string, string>> {
  const r = await run(['git', 'for-each-ref', '--format=%(objectname) %(refname)', 'refs/exps'], { cwd });
  const out = new Map<string, string>();
  for (const line of r.code === 0 ? r.stdout.split('\n') : []) {
    const [sha, ref] = line.trim().split(' ');
    if (sha && ref && !ref.endsWith('/EXEC_BRANCH') && !ref.endsWith('/EXEC_BASELINE') && !ref.endsWith('/EXEC_HEAD') && !ref.endsWith('/EXEC_MERGE')) out.set(ref, sha);
  }
  return out;
}

/** Refs added or moved between two listings: the experiments this run made. */
export function newExpCommits(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([ref, sha]) => before.get(ref) !== sha).map(([, sha]) => sha);
}
