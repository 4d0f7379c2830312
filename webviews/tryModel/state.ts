// The Try Model panel's state as pure functions: what each host message and each user edit
// make of it, and the `send` message a click posts. The editor's text and choices are kept
// in the webview's saved state, so a hidden-and-shown panel keeps what was typed.
import { MAX_TRY_REPEATS, type HostToTry, type TryEndpoint, type TryFormat, type TryProbe, type TryResult, type TryToHost } from '../../src/protocol/tryModel';

export interface TryState {
  title: string;
  endpoints: TryEndpoint[];
  selected: string;
  /** A second endpoint to send the same body to ('' = none). */
  compare: string;
  body: string;
  format: TryFormat;
  repeats: number;
  exampleSource: string;
  sending: boolean;
  results: TryResult[];
  problem: string;
  /** True once the host's init arrived. */
  started: boolean;
}

export const initialState = (): TryState => ({
  title: '',
  endpoints: [],
  selected: '',
  compare: '',
  body: '',
  format: 'json',
  repeats: 20,
  exampleSource: '',
  sending: false,
  results: [],
  problem: '',
  started: false,
});

/** The saved state, checked field by field (an older panel may have saved another shape). */
export function restoreState(saved: unknown): TryState {
  const s = initialState();
  if (!saved || typeof saved !== 'object') return s;
  const o = saved as Record<string, unknown>;
  if (typeof o.body === 'string') s.body = o.body;
  if (o.format === 'json' || o.format === 'csv') s.format = o.format;
  if (typeof o.repeats === 'number') s.repeats = clampRepeats(o.repeats);
  if (typeof o.compare === 'string') s.compare = o.compare;
  return s;
}

export const savedOf = (s: TryState) => ({ body: s.body, format: s.format, repeats: s.repeats, compare: s.compare });

export function clampRepeats(n: number): number {
  return Number.isFinite(n) ? Math.max(1, Math.min(MAX_TRY_REPEATS, Math.floor(n))) : 1;
}

export function onHostMessage(s: TryState, m: Exclude<HostToTry, { type: 'probe' }>): TryState {
  switch (m.type) {
    case 'init':
      // A restored edit wins over the example: the user's text is not thrown away.
      return { ...s, title: m.title, endpoints: m.endpoints, selected: m.selected, body: s.body || m.body, format: s.body ? s.format : m.format, exampleSource: m.exampleSource, started: true, compare: keep(s.compare, m.endpoints, m.selected) };
    case 'endpoints':
      return { ...s, endpoints: m.endpoints, compare: keep(s.compare, m.endpoints, s.selected), problem: m.endpoints.some((e) => e.id === s.selected) ? s.problem : 'This served model was stopped. Serve it again from the Models view.' };
    case 'sending':
      return { ...s, sending: true, problem: '' };
    case 'results':
      return { ...s, sending: false, results: m.results, problem: '' };
    case 'problem':
      return { ...s, sending: false, problem: m.message };
  }
}

const keep = (compare: string, endpoints: TryEndpoint[], selected: string) => (compare && compare !== selected && endpoints.some((e) => e.id === compare) ? compare : '');

export const edit = (s: TryState, patch: Partial<Pick<TryState, 'body' | 'format' | 'compare'>>): TryState => ({ ...s, ...patch });

export const setRepeats = (s: TryState, n: number): TryState => ({ ...s, repeats: clampRepeats(n) });

/** The message Send posts: the body to the panel's endpoint, and to the compared one if picked. */
export function sendMessage(s: TryState): Extract<TryToHost, { type: 'send' }> {
  return { type: 'send', body: s.body, format: s.format, repeats: clampRepeats(s.repeats), endpoints: s.compare ? [s.selected, s.compare] : [s.selected] };
}

/** "p50 3.1 ms · p95 4.0 ms (20 requests)". */
export function latencyText(r: TryResult): string {
  if (!r.latency) return '';
  const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;
  return `p50 ${ms(r.latency.p50Ms)} · p95 ${ms(r.latency.p95Ms)} (${r.latency.n} ${r.latency.n === 1 ? 'request' : 'requests'})`;
}

export function probeOf(s: TryState): TryProbe {
  return { body: s.body, selected: s.selected, problem: s.problem, results: s.results.map((r) => ({ label: r.label, status: r.status, ok: r.ok, text: r.text, p50Ms: r.latency?.p50Ms })) };
}
