// Crafted Slurm answers (a login host we do not control can print anything): each reader
// runs in a child with a heap cap and a kill timer and must end with a bounded result and
// a warning, never loop, blow the heap or freeze.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { lastJson, runBounded } from './boundedChild';

const child = path.join(__dirname, 'parseSlurmOutput.ts');

interface Outcome {
  count: number;
  warnings: string[];
  ms: number;
}

describe('Slurm readers on crafted output, in a bounded child', function () {
  this.timeout(120000);
  const run = async (name: string): Promise<Outcome> => {
    const r = await runBounded(child, [name], { heapMb: 768, timeoutMs: 30000 });
    assert.equal(r.timedOut, false, `${name} did not finish in 30 s`);
    assert.equal(r.code, 0, `${name} exited ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
    return lastJson<Outcome>(r);
  };

  it('a 64 MiB line without a break is skipped with a warning', async () => {
    const o = await run('oneHugeLine');
    assert.equal(o.count, 0);
    assert.match(o.warnings.join('\n'), /longer than 16384 characters/);
  });

  it('a million well-formed rows keep the first 20000 and say how many were left out', async () => {
    const o = await run('manyRecords');
    assert.equal(o.count, 20000);
    assert.match(o.warnings.join('\n'), /980000 more were left out/);
  });

  it('GRES fields of nested parentheses read in linear time', async () => {
    const o = await run('gresNesting');
    assert.equal(o.count, 1);
  });

  it('key=value lines of nothing but keys are read or skipped, not parsed forever', async () => {
    const o = await run('keyStorm');
    assert.ok(o.ms < 20000, `${o.ms} ms`);
  });

  it('the snapshot frame marker repeated millions of times', async () => {
    const o = await run('frameStorm');
    assert.equal(o.count, 1);
  });
});
