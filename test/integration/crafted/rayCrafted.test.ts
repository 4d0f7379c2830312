// Crafted Ray dashboard answers (a cluster address we do not control can answer anything):
// our client and readers run in a child with a heap cap and a kill timer and must end with a
// bounded result or a clear error, never loop, blow the heap or freeze.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { lastJson, runBounded } from './boundedChild';

const child = path.join(__dirname, 'parseRayAnswer.ts');

interface Outcome {
  count: number;
  warnings: string[];
  error?: string;
  longest?: number;
  ms: number;
}

describe('Ray client and readers on crafted dashboard answers, in a bounded child', function () {
  this.timeout(120000);
  const run = async (name: string): Promise<Outcome> => {
    const r = await runBounded(child, [name], { heapMb: 768, timeoutMs: 60000 });
    assert.equal(r.timedOut, false, `${name} did not finish in 60 s`);
    assert.equal(r.code, 0, `${name} exited ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
    return lastJson<Outcome>(r);
  };

  it('an answer that never ends is cut at 64 MB with a message', async () => {
    const o = await run('endless');
    assert.match(o.error ?? '', /more than 64 MB/);
  });

  it('arrays nested a million deep: no job, a warning, no stack overflow', async () => {
    const o = await run('deep');
    assert.equal(o.count, 0);
    assert.equal(o.error, undefined);
    assert.match(o.warnings.join('\n'), /1 job record\(s\) of an unknown shape skipped/);
  });

  it('200,000 jobs keep the first 20,000 with a warning; a 20 MB message is cut', async () => {
    const o = await run('many');
    assert.equal(o.count, 20000);
    assert.match(o.warnings.join('\n'), /200001 jobs; the first 20000 are shown/);
    assert.equal(o.longest, 20000);
  });

  it('records of unknown shape are skipped and counted', async () => {
    const o = await run('manyParsed');
    assert.equal(o.count, 20000 / 2);
    assert.match(o.warnings.join('\n'), /100000 jobs; the first 20000/);
    assert.match(o.warnings.join('\n'), /10000 job record\(s\) of an unknown shape skipped/);
  });

  it('50,000 nodes of 1,000 resources each keep the first 10,000, in bounded time', async () => {
    const o = await run('nodes');
    assert.equal(o.count, 10000);
    assert.match(o.warnings.join('\n'), /50000 nodes; the first 10000 are shown/);
    assert.ok(o.ms < 30000, `${o.ms} ms`);
  });
});
