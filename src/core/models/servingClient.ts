// Sends one body to a served model's `/invocations` with a keep-alive connection, N times,
// and keeps the server's answer verbatim (an error is MLflow's own JSON, shown as it is).
import * as http from 'node:http';
import { CONTENT_TYPE, type RequestFormat } from './servingRequest';
import { latencyStats, type LatencyStats } from './servingLatency';

export interface InvocationResult {
  status: number;
  /** The response text as the server sent it (bounded). */
  text: string;
  /** The parsed answer when it is JSON (`{"predictions": …}` on success). */
  json?: unknown;
  latency?: LatencyStats;
}

// A response over this is cut: the panel shows predictions, not a data dump.
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
export const MAX_REPEATS = 1000;

function postOnce(agent: http.Agent, url: URL, body: Buffer, contentType: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, timeout: timeoutMs, headers: { 'Content-Type': contentType, 'Content-Length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') + (size > MAX_RESPONSE_BYTES ? '\n…(cut)' : '') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.href} within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface InvokeOptions {
  format: RequestFormat;
  /** Repeats for the latency figures; the first answer is the one shown. */
  repeats?: number;
  timeoutMs?: number;
  cancelled?: () => boolean;
  /** Default MLflow's `/invocations`; V2: `/v2/models/<name>/infer` (see inferPath). */
  path?: string;
}

/** POSTs `body` to `<base>/invocations` (or `o.path`) `repeats` times on one kept-alive connection. */
export async function invoke(base: string, body: string, o: InvokeOptions): Promise<InvocationResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(o.path ?? '/invocations', base);
  const buf = Buffer.from(body, 'utf8');
  const n = Math.max(1, Math.min(MAX_REPEATS, Math.floor(o.repeats ?? 1)));
  const samples: number[] = [];
  let first: { status: number; text: string } | undefined;
  try {
    for (let i = 0; i < n && !(i > 0 && o.cancelled?.()); i++) {
      const t0 = process.hrtime.bigint();
      const r = await postOnce(agent, url, buf, CONTENT_TYPE[o.format], o.timeoutMs ?? 60_000);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      first ??= r;
      // An error answer is shown at once; repeating it measures nothing useful.
      if (r.status !== 200) break;
    }
  } finally {
    agent.destroy();
  }
  const out: InvocationResult = { status: first!.status, text: first!.text, latency: latencyStats(samples) };
  try {
    out.json = JSON.parse(first!.text);
  } catch {
    // Not JSON: the text is shown as it came.
  }
  return out;
}
