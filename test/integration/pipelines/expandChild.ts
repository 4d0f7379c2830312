// Run in a child process with a small heap by limits.test.ts: expands the stages of the
// dvc.yaml in the folder given (with its params.yaml) and prints how many there are.
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { buildDvcModel } from '../../../src/core/pipelines/dvcModel';
import { expandStages } from '../../../src/core/pipelines/dvcExpand';
import { nodePipelineFs } from '../../../src/core/pipelines/nodePipelineFs';
import { parseYaml } from '../../../src/core/pipelines/yamlDocument';

const dir = process.argv[2];
const text = readFileSync(path.join(dir, 'dvc.yaml'), 'utf8');
const started = Date.now();
const stages = expandStages(buildDvcModel(parseYaml(text), text), nodePipelineFs(dir));
process.stdout.write(JSON.stringify({ names: stages.map((s) => s.name), ms: Date.now() - started }));
