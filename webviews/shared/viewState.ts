// Pure pieces both panels' states (metrics/state.ts, compare/state.ts) are made of: the
// notice, the runs legend's hide/show, and choosing a select's value. No DOM.

export interface Notice {
  /** One line per problem; '' hides the notice. */
  text: string;
  kind: 'info' | 'error';
}

export const NO_NOTICE: Notice = { text: '', kind: 'info' };

/** The host's problems, plus `empty` when there are no runs and no problem says why: never a blank page. */
export function runsNotice(runCount: number, problems: readonly string[], empty: string, extra?: string): Notice {
  const lines = [...problems];
  if (!runCount && !lines.length) lines.push(empty);
  else if (runCount && extra) lines.push(extra);
  return { text: lines.join('\n'), kind: runCount ? 'info' : 'error' };
}

/** `keys` with `key` added, or removed when it was there (a legend click). */
export function toggleKey(keys: readonly string[], key: string): string[] {
  return keys.includes(key) ? keys.filter((k) => k !== key) : [...keys, key];
}

export interface Option {
  value: string;
  label: string;
}

/** What a select shows: `wanted` when it is one of the options, else the first; '' when there are none. */
export function pickOption(options: readonly Option[], wanted: string | undefined): string {
  return options.some((o) => o.value === wanted) ? wanted! : (options[0]?.value ?? '');
}
