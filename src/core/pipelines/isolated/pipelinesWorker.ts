// Entry of the pipelines worker thread (bundled as dist/lazy/pipelinesWorker.js): the
// Pipelines view's dvc.yaml / params / dvc.lock parsing, `${}` and matrix expansion and
// stage status run here, behind a heap cap and a deadline (see core/common/isolatedWorker),
// so a crafted pipeline file costs that file a warning, never the extension host. The
// hash cache lives here between loads: unchanged files are not hashed again.
import { serveIsolated } from '../../common/isolatedWorkerServe';
import { HashCache } from '../status/dvcHash';
import { loadPipelineSnapshot } from '../status/pipelineSnapshot';

const hashes = new HashCache();
serveIsolated({
  load: (p: { dir: string; text: string; root?: string }) => loadPipelineSnapshot(p.dir, p.text, hashes, p.root),
});
