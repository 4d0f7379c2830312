// Child of findings.test.ts: runs one crafted case the fuzz found and prints what came
// of it as JSON, with the time it took, so a regression shows as a slow or wrong answer
// (or, past the parent's limit, a kill) instead of a hung test runner.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { validatePipelineFile } from '../../../src/core/pipelines/languageService';
import { loadParamsFile } from '../../../src/core/pipelines/paramsFile';
import { memoryFs } from '../../../src/core/pipelines/pipelineFs';
import { parseDvcLock } from '../../../src/core/pipelines/status/dvcLock';
import { parseYamlData } from '../../../src/core/common/yamlData';
import { DvcLiveSource } from '../../../src/core/runs/dvc/dvcliveSource';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';

/** A mapping key that is a block sequence nested `depth` deep (640 KB at 800). */
export const nestedKey = (depth: number) => '? ' + Array.from({ length: depth }, (_, i) => ' '.repeat(i * 2) + '- ').join('\n') + 'x\n: 1\nlr: 0.1\n';

const cases: Record<string, () => Promise<unknown> | unknown> = {
  paramsCollectionKey: () => {
    const params = nestedKey(800);
    const data = loadParamsFile(memoryFs({ 'params.yaml': params }), 'params.yaml')?.data;
    const fs = memoryFs({ 'params.yaml': params });
    const diagnostics = validatePipelineFile('dvc.yaml', 'stages:\n  a:\n    cmd: echo ${lr}\n    params: [lr]\n', fs);
    return { data: data ?? null, diagnostics: diagnostics.length };
  },
  binaryAndAliasKeys: () => {
    const warnings: string[] = [];
    process.on('warning', (w) => warnings.push(w.message));
    const data = ['prepare:\n !!binary  seed: 1\n', 'a: &x [1, 2]\nb:\n  *x : 3\n'].map((t) => loadParamsFile(memoryFs({ 'params.yaml': t }), 'params.yaml')?.data ?? null);
    return new Promise((resolve) => setImmediate(() => resolve({ data, warnings })));
  },
  longLineErrors: async () => {
    // One 80 KB line with 80,000 parse errors (the fuzz: seed 6, dvc.lock #48, hover hung).
    const line = 'l0: &l0 [lol]\nl6: &l6 [*l0, *l0,' + '${a}'.repeat(20_000) + '\n';
    const times: Record<string, number> = {};
    const time = async (name: string, f: () => unknown) => {
      const t = performance.now();
      await f();
      times[name] = Math.round(performance.now() - t);
    };
    await time('dvc.lock', () => parseDvcLock(`schema: '2.0'\nstages:\n${line}`));
    await time('yaml data', () => {
      try {
        parseYamlData(line);
      } catch {
        // The answer is the error; the time is what counts.
      }
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-finding-'));
    mkdirSync(path.join(dir, '1'));
    writeFileSync(path.join(dir, '1', 'meta.yaml'), `name: x\n${line}`);
    let warning = '';
    await time('mlruns meta.yaml', async () => (warning = (await new MlflowFileStoreSource(dir).list()).warnings[0]?.message ?? ''));
    return { times, warning };
  },
  lockCollectionKey: () => Object.keys(parseDvcLock(`schema: '2.0'\nstages:\n  a:\n    cmd: x\n${nestedKey(300).replace(/^/gm, '    ')}`)),
  dvcliveCollectionKey: async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-finding-'));
    mkdirSync(path.join(dir, 'dvclive'));
    writeFileSync(path.join(dir, 'dvclive', 'params.yaml'), nestedKey(800));
    const { runs, warnings } = await new DvcLiveSource(path.join(dir, 'dvclive')).list();
    return { params: runs[0].params, warnings: warnings.map((w) => w.message) };
  },
  manyErrors: () => {
    const d = validatePipelineFile('dvc.yaml', 'stages:\n' + '  ]: x\n'.repeat(100_000));
    return { count: d.length, last: d[d.length - 1]?.code, lastMessage: d[d.length - 1]?.message };
  },
  tooDeep: () => {
    // 1 MB of unclosed `{a: ${item.x `: the yaml parser ran out of stack (a RangeError out of
    // parseDocument, so no diagnostics at all) after 2.7 s.
    const d = validatePipelineFile('dvc.yaml', 'stages:\n  a:\n    cmd: ' + '{a: ${item.x '.repeat(80_000).slice(0, 1 << 20) + '\n');
    const p = validatePipelineFile('dvc.yaml', 'stages:\n  a:\n    cmd: ' + '{'.repeat(900_000) + '\n');
    return [d, p].map((x) => x.map((e) => [e.code, e.range.start.line, e.message]));
  },
};

void (async () => {
  const t = performance.now();
  const result = await cases[process.argv[2]]();
  console.log(JSON.stringify({ result, ms: Math.round(performance.now() - t) }));
})();
