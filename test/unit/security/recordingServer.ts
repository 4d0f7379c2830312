// A real HTTP server on a local address that records every request it gets (method, path,
// headers, body) and answers from a handler the test gives: the far end of the MLflow
// REST client's requests, so the tests check what actually went over the wire.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
  /** Never answer (the client's timeout must end the request). */
  hang?: boolean;
}

export class RecordingServer {
  readonly requests: Recorded[] = [];
  private server?: Server;
  origin = '';

  constructor(private readonly handler: (req: Recorded) => Answer) {}

  start(host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rec: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(rec);
        const a = this.handler(rec);
        if (a.hang) return;
        const isJson = a.body !== undefined && typeof a.body === 'object' && !Buffer.isBuffer(a.body);
        res.writeHead(a.status ?? 200, { 'content-type': isJson ? 'application/json' : 'text/plain', ...a.headers });
        res.end(isJson ? JSON.stringify(a.body) : a.body);
      });
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, host, () => {
        const { port } = this.server!.address() as AddressInfo;
        resolve((this.origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`));
      });
    });
  }

  /** The Authorization headers it was sent, one per request. */
  get authorizations(): (string | undefined)[] {
    return this.requests.map((r) => r.headers.authorization);
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Answers of a small MLflow tracking server: one experiment, one run with one metric. */
export function mlflowAnswers(path: string, runId = 'r1'): Answer | undefined {
  if (path.includes('experiments/search')) return { body: { experiments: [{ experiment_id: '1', name: 'exp' }] } };
  if (path.includes('runs/search')) return { body: { runs: [{ info: { run_id: runId, experiment_id: '1', status: 'FINISHED', start_time: 1 }, data: { metrics: [{ key: 'loss', value: 0.5, step: 1, timestamp: 2 }] } }] } };
  if (path.includes('get-history')) return { body: { metrics: [{ key: 'loss', value: 0.5, step: 1, timestamp: 2, run_id: runId }] } };
  return undefined;
}
