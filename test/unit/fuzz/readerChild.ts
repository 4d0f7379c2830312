// Child of storeFuzz.test.ts: reads one store per line of stdin (`{kind, location}`) with
// the real reader, as the Runs view does (list, then a few metric histories), and prints
// one JSON line per store: what it found, how long it took and the peak RSS so far. A
// crash or a hang shows in the parent as an exit or a missed deadline.
import { createInterface } from 'node:readline';
import { DvcLiveSource } from '../../../src/core/runs/dvc/dvcliveSource';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';
import { TensorBoardSource } from '../../../src/core/runs/tensorboard/tensorboardSource';
import type { RunSource } from '../../../src/core/runs/types';

export type StoreKind = 'mlflow.db' | 'tfevents' | 'mlruns' | 'dvclive';
export interface ReaderReply {
  runs?: number;
  points?: number;
  warnings?: number;
  error?: string;
  ms: number;
  /** User + system CPU time of the read (the 2 s bound is checked on it: see lspClient.cpuMs). */
  cpuMs: number;
  maxRssMb: number;
}

function source(kind: StoreKind, location: string): RunSource & { dispose?(): void } {
  const onWarning = () => undefined;
  switch (kind) {
    case 'mlflow.db':
      return new MlflowSqliteSource(location, { onWarning });
    case 'tfevents':
      return new TensorBoardSource(location, onWarning);
    case 'mlruns':
      return new MlflowFileStoreSource(location, { onWarning });
    case 'dvclive':
      return new DvcLiveSource(location, onWarning);
  }
}

async function read(kind: StoreKind, location: string): Promise<Omit<ReaderReply, 'ms' | 'cpuMs' | 'maxRssMb'>> {
  const src = source(kind, location);
  try {
    const { runs, warnings } = await src.list();
    let points = 0;
    for (const run of runs.slice(0, 3))
      for (const key of Object.keys(run.metrics).slice(0, 3)) {
        try {
          points += (await src.metricHistory(run.id, key)).length;
        } catch {
          // A refused history is an answer too; only a crash or a hang is a finding.
        }
      }
    return { runs: runs.length, points, warnings: warnings.length };
  } catch (err) {
    return { error: String((err as Error)?.message ?? err).slice(0, 300) };
  } finally {
    src.dispose?.();
  }
}

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    const { kind, location } = JSON.parse(line) as { kind: StoreKind; location: string };
    const t = performance.now();
    const cpu = process.cpuUsage();
    const out = await read(kind, location);
    const used = process.cpuUsage(cpu);
    const reply: ReaderReply = { ...out, ms: Math.round(performance.now() - t), cpuMs: Math.round((used.user + used.system) / 1000), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
    process.stdout.write(JSON.stringify(reply) + '\n');
  });
});
