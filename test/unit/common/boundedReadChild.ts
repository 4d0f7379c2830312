// Child of boundedRead.test.ts: reads each file given through boundedRead (async or sync)
// and prints what came of each; run with a heap cap and a kill timer, so a blocking open or
// an endless read shows as a timeout instead of hanging the test run.
import { isRefused, readBoundedText, readBoundedTextSync, type ReadLimits } from '../../../src/core/common/boundedRead';

async function main(mode: string, capBytes: string, root: string, files: string[]): Promise<void> {
  const limits: ReadLimits = { cap: { bytes: Number(capBytes), kind: 'test inputs' }, root: root || undefined };
  const out: Record<string, unknown> = {};
  for (const file of files) {
    try {
      const text = mode === 'sync' ? readBoundedTextSync(file, limits) : await readBoundedText(file, limits);
      out[file] = { ok: true, length: text.length };
    } catch (err) {
      out[file] = { ok: false, reason: isRefused(err) ? err.reason : (err as NodeJS.ErrnoException).code, message: (err as Error).message };
    }
  }
  console.log(JSON.stringify(out));
}

void main(process.argv[2], process.argv[3], process.argv[4], process.argv.slice(5));
