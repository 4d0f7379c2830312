// Child of repoFilesCrafted.test.ts: lists one source (or loads one pipeline, as the
// Pipelines view does) and prints what came of it, so a blocking open or an endless read
// shows in the parent as a timeout or a heap abort instead of hanging the test run.
import { listArtifacts } from '../../../src/core/data/artifacts';
import { computePipelineStatus, loadPipeline } from '../../../src/core/pipelines/status/stageStatus';
import { DvcExperimentsSource } from '../../../src/core/runs/dvc/dvcExperiments';
import { DvcLiveSource } from '../../../src/core/runs/dvc/dvcliveSource';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';
import { TensorBoardSource } from '../../../src/core/runs/tensorboard/tensorboardSource';
import type { RunSource } from '../../../src/core/runs/types';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

function source(kind: string, location: string): RunSource & { dispose?(): void } {
  switch (kind) {
    case 'mlflow-file':
      return new MlflowFileStoreSource(location);
    case 'mlflow-sqlite':
      return new MlflowSqliteSource(location);
    case 'dvclive':
      return new DvcLiveSource(location);
    case 'dvc-experiments':
      return new DvcExperimentsSource(location, { cacheDir: false });
    case 'tensorboard':
      return new TensorBoardSource(location);
  }
  throw new Error(`unknown kind ${kind}`);
}

async function main(kind: string, location: string): Promise<unknown> {
  if (kind === 'pipeline') {
    const { stages, refused } = loadPipeline(location, readFileSync(path.join(location, 'dvc.yaml'), 'utf8'), location);
    const status = await computePipelineStatus({ dir: location, stages }).then(
      (s) => ({ status: s }),
      (err: Error) => ({ statusError: err.message }),
    );
    return { stages: stages.map((s) => s.name), refused, ...status };
  }
  if (kind === 'data') {
    const { artifacts, problems } = await listArtifacts(location);
    return { artifacts: artifacts.map((a) => a.path), problems: problems.map((p) => ({ file: p.file, message: p.message })) };
  }
  const src = source(kind, location);
  try {
    const { experiments, runs, warnings } = await src.list();
    return {
      experiments: experiments.map((e) => e.name),
      runs: runs.map((r) => ({ id: r.id, name: r.name, params: r.params, metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, p]) => [k, p.value])) })),
      warnings: warnings.map((w) => ({ file: w.file, message: w.message })),
    };
  } finally {
    src.dispose?.();
  }
}

main(process.argv[2], process.argv[3]).then(
  (out) => console.log(JSON.stringify(out)),
  (err: Error) => console.log(JSON.stringify({ error: err.message })),
);
