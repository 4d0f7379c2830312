// One dvc.yaml as the Pipelines view shows it, as plain data: expanded stages (without
// their YAML nodes), where each stage's key is written, upstream edges and stage status.
// Plain, so that it crosses from the pipelines worker (isolated/pipelinesWorker.ts) to
// the extension host by structured clone.
import type { Range } from '../../common/positions';
import { errorMessage } from '../../common/errors';
import { expandedUpstream, type ExpandedStage } from '../dvcExpand';
import { HashCache } from './dvcHash';
import { computePipelineStatus, loadPipeline, type PipelineStatus } from './stageStatus';

export type LoadedStage = Omit<ExpandedStage, 'source'> & {
  /** The stage's `desc`, when it is a string. */
  desc?: string;
  /** Where its key is written in dvc.yaml (Open Stage selects it). */
  keyRange: Range;
};

export interface PipelineSnapshot {
  stages: LoadedStage[];
  /** stage name → names of the stages it depends on. */
  upstream: [string, string[]][];
  /** undefined when it could not be computed: `statusError` says why. */
  status?: PipelineStatus;
  statusError?: string;
  /** Params files that were not read (a FIFO, a device, too large, a link out of `root`), with why. */
  refused: string[];
}

/** `root`: the workspace folder that every read stays inside. */
export async function loadPipelineSnapshot(dir: string, dvcYamlText: string, hashes: HashCache, root?: string): Promise<PipelineSnapshot> {
  const { model, stages, refused } = loadPipeline(dir, dvcYamlText, root);
  const loaded = stages.map(({ source, ...stage }): LoadedStage => {
    const desc = source.definition?.get('desc');
    return { ...stage, desc: typeof desc === 'string' ? desc : undefined, keyRange: model.parsed.lines.rangeOf(source.keySpan[0], source.keySpan[1]) };
  });
  let status: PipelineStatus | undefined;
  let statusError: string | undefined;
  try {
    status = await computePipelineStatus({ dir, root, hashes, stages });
  } catch (err) {
    statusError = errorMessage(err);
  }
  return { stages: loaded, upstream: [...expandedUpstream(stages)], status, statusError, refused };
}
