// A run-store worker (the real runsWorkerHandlers, IsolatedWorker protocol and transfer)
// whose one store kind, `bench-synthetic`, answers `run<N>` histories of `location`
// points each: bench/charts-host/hostMemory.mjs reads 20 runs × 1,000,000 points through it
// without writing gigabytes of store files first.
import { workerData } from 'node:worker_threads';
import { serveIsolated } from '../../src/core/common/isolatedWorkerServe';
import { decodePoints } from '../../src/core/runs/isolated/pointsCodec';
import { runsWorkerHandlers, type RunsWorkerData } from '../../src/core/runs/isolated/runsWorkerHandlers';
import { syntheticPacked } from './syntheticSeries';

const data = workerData as RunsWorkerData;
serveIsolated(
  runsWorkerHandlers((kind, location) => {
    if (kind !== 'bench-synthetic') throw new Error(`no reader for run store kind ${kind}`);
    const points = Number(location);
    const run = (runId: string) => Number(runId.replace('run', ''));
    return {
      kind,
      location,
      list: async () => ({ experiments: [], runs: [], warnings: [] }),
      metricHistoryPacked: async (runId: string) => syntheticPacked(run(runId), points),
      metricHistory: async (runId: string) => decodePoints(syntheticPacked(run(runId), points)),
    };
  }, data.options),
);
