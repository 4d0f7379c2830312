// Messages between the Try Model panel (webviews/tryModel) and the extension host
// (src/extension/models/tryModelPanel.ts). Both ends check what arrives.
import type { ProbeReply, ProbeRequest } from './panels';

export type TryFormat = 'json' | 'csv';

export interface TryEndpoint {
  /** The endpoint's URL: stable while it runs. */
  id: string;
  label: string;
}

export interface TryLatency {
  n: number;
  p50Ms: number;
  p95Ms: number;
}

export interface TryResult {
  endpoint: string;
  label: string;
  /** HTTP status; 0 when no answer came. */
  status: number;
  /** `predictions` pretty-printed on success; the answer verbatim otherwise. */
  text: string;
  ok: boolean;
  latency?: TryLatency;
}

export const MAX_TRY_REPEATS = 1000;

export type HostToTry =
  | { type: 'init'; title: string; endpoints: TryEndpoint[]; selected: string; body: string; format: TryFormat; exampleSource: string }
  | { type: 'endpoints'; endpoints: TryEndpoint[] }
  | { type: 'sending' }
  | { type: 'results'; results: TryResult[] }
  | { type: 'problem'; message: string }
  | ProbeRequest;

/** What the webview shows (E2E probe). */
export interface TryProbe {
  body: string;
  selected: string;
  results: { label: string; status: number; ok: boolean; text: string; p50Ms?: number }[];
  problem: string;
}

export type TryToHost =
  | { type: 'ready' }
  | { type: 'send'; body: string; format: TryFormat; repeats: number; endpoints: string[] }
  | ProbeReply<TryProbe>;

const isStr = (v: unknown): v is string => typeof v === 'string';
const isFormat = (v: unknown): v is TryFormat => v === 'json' || v === 'csv';
const isEndpoints = (v: unknown): v is TryEndpoint[] => Array.isArray(v) && v.length <= 100 && v.every((e) => e && isStr(e.id) && isStr(e.label));
// The editor's text crosses as one string; past this it is not something to type into a form.
const MAX_BODY_CHARS = 16 * 1024 * 1024;

export function parseTryToHost(v: unknown): TryToHost | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const m = v as Record<string, unknown>;
  if (m.type === 'ready') return { type: 'ready' };
  if (m.type === 'send') {
    if (!isStr(m.body) || m.body.length > MAX_BODY_CHARS || !isFormat(m.format)) return undefined;
    if (typeof m.repeats !== 'number' || !Number.isInteger(m.repeats) || m.repeats < 1 || m.repeats > MAX_TRY_REPEATS) return undefined;
    if (!Array.isArray(m.endpoints) || m.endpoints.length < 1 || m.endpoints.length > 2 || !m.endpoints.every(isStr)) return undefined;
    return { type: 'send', body: m.body, format: m.format, repeats: m.repeats, endpoints: m.endpoints as string[] };
  }
  if (m.type === 'probeReply' && typeof m.id === 'number' && m.data && typeof m.data === 'object') return { type: 'probeReply', id: m.id, data: m.data as TryProbe };
  return undefined;
}

function isResult(r: unknown): r is TryResult {
  if (!r || typeof r !== 'object') return false;
  const o = r as Record<string, unknown>;
  return isStr(o.endpoint) && isStr(o.label) && typeof o.status === 'number' && isStr(o.text) && typeof o.ok === 'boolean';
}

export function parseHostToTry(v: unknown): HostToTry | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case 'init':
      return isStr(m.title) && isEndpoints(m.endpoints) && isStr(m.selected) && isStr(m.body) && isFormat(m.format) && isStr(m.exampleSource) ? (m as HostToTry) : undefined;
    case 'endpoints':
      return isEndpoints(m.endpoints) ? { type: 'endpoints', endpoints: m.endpoints } : undefined;
    case 'sending':
      return { type: 'sending' };
    case 'results':
      return Array.isArray(m.results) && m.results.length <= 2 && m.results.every(isResult) ? { type: 'results', results: m.results as TryResult[] } : undefined;
    case 'problem':
      return isStr(m.message) ? { type: 'problem', message: m.message } : undefined;
    case 'probe':
      return typeof m.id === 'number' ? { type: 'probe', id: m.id } : undefined;
    default:
      return undefined;
  }
}
