import type { StageStatusEntry } from './stageStatus';

/** One line per change, in the words of `dvc status`. */
export function describeStageChanges(entries: StageStatusEntry[]): string[] {
  const lines: string[] = [];
  for (const e of entries) {
    if (typeof e === 'string') lines.push(e);
    else
      for (const [kind, changes] of Object.entries(e)) {
        for (const [p, change] of Object.entries(changes as Record<string, unknown>)) {
          if (typeof change === 'string') lines.push(`${kind.replace('changed ', '')}: ${p} ${change}`);
          else for (const [k, c] of Object.entries(change as Record<string, string>)) lines.push(`param ${k} ${c} (${p})`);
        }
      }
  }
  return lines;
}
