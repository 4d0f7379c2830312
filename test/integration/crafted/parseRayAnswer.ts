// Child of rayCrafted.test.ts: serves one crafted dashboard answer from a local server (a
// cluster address we do not control can answer anything) and reads it with our client and
// readers; prints what came of it.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { parseRayJobs } from '../../../src/core/jobs/ray/rayJobs';
import { parseRayNodes, parseUsageByNode } from '../../../src/core/jobs/ray/rayNodes';

const MB = 1 << 20;
const version = JSON.stringify({ version: '4', ray_version: '2.60.0', session_name: 's' });
const job = (i: number, message = 'ok') => ({ type: 'SUBMISSION', submission_id: `raysubmit_${i}`, status: 'SUCCEEDED', entrypoint: 'true', message, start_time: 1, end_time: 2, metadata: { 'mlops-workbench': '1' } });

/** What the crafted dashboard sends for /api/jobs/ (others: a plain Ray answer). */
const jobsAnswers: Record<string, (res: http.ServerResponse) => void> = {
  // 100 MB of a never-ending string: cut at the client's answer limit.
  endless: (res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('[{"message": "');
    const chunk = 'x'.repeat(MB);
    let n = 0;
    const more = () => {
      while (n < 100 && res.write(chunk)) n++;
      if (n < 100) res.once('drain', () => (n++, more()));
      else res.end('"}]');
    };
    more();
  },
  // Nesting a million arrays deep.
  deep: (res) => res.writeHead(200).end('['.repeat(1_000_000) + ']'.repeat(1_000_000)),
  // 200,000 jobs, one with a 20 MB message.
  many: (res) => res.writeHead(200).end(JSON.stringify([job(0, 'm'.repeat(20 * MB)), ...Array.from({ length: 200_000 }, (_, i) => job(i + 1))])),
};

async function main(name: string): Promise<object> {
  if (name === 'nodes') {
    // 50,000 nodes with 1,000 custom resources each.
    const resources = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`r${i}`, 1]));
    // One shared object: the input itself must fit the child's heap.
    const total = { ...resources, CPU: 4, GPU: 1, 'accelerator_type:A100': 1 };
    const result = Array.from({ length: 50_000 }, (_, i) => ({ node_id: `n${i}`, state: 'ALIVE', resources_total: total }));
    const { partition, warnings } = parseRayNodes({ data: { result: { total: 50_000, result } } }, parseUsageByNode({}));
    return { count: partition.nodes.length, warnings: warnings.map((w) => w.message), gpus: partition.gpus };
  }
  if (name === 'manyParsed') {
    const { jobs, warnings } = parseRayJobs(Array.from({ length: 100_000 }, (_, i) => (i % 2 ? job(i) : { junk: i })));
    return { count: jobs.length, warnings: warnings.map((w) => w.message) };
  }
  const server = http.createServer((req, res) => {
    if (req.url === '/api/version') return void res.writeHead(200).end(version);
    if (req.url === '/api/jobs/') return jobsAnswers[name](res);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const b = new RayBackend({ address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, user: 'me', timeoutMs: 60000 });
  try {
    const s = await b.snapshot();
    return { count: s.jobs.length, longest: Math.max(...s.jobs.map((j) => j.reason?.length ?? 0)), warnings: s.warnings.map((w) => w.message.slice(0, 200)) };
  } catch (e) {
    return { count: 0, error: e instanceof Error ? e.message.slice(0, 300) : String(e), warnings: [] };
  } finally {
    b.dispose();
    server.close();
    server.closeAllConnections();
  }
}

const started = Date.now();
void main(process.argv[2]).then((r) => console.log(JSON.stringify({ ...r, ms: Date.now() - started })));
