import { strict as assert } from 'node:assert';
import { experimentReproArgv, parseDvcMetrics } from '../../../src/core/provenance/reproduceExperiment';
import type { Provenance } from '../../../src/core/provenance/types';
import { experimentNoteLines } from '../../../src/core/provenance/view';
import { runTooltipMarkdown } from '../../../src/extension/runs/runsModel';
import { l10n } from '../l10nFormat';

const note = (command: string[], stages?: string[]): Provenance => ({
  version: 1,
  launcher: 'dvc-exp',
  ...(stages ? { stages } : {}),
  code: { changedFiles: [], patchBytes: 0, patchCapped: false, fileHashes: {} },
  params: {},
  data: { deps: {}, dvcFiles: {} },
  environment: { host: 'h', gpu: { model: 'unknown', driver: 'unknown', cuda: 'unknown' }, python: '3.11', packages: 0, command, env: {} },
  timing: { start: 0 },
});

describe('Reproduce Run on a DVC experiment: pure parts', () => {
  it('reads dvc metrics show --json, file-qualified, numbers only, unreadable files left out', () => {
    const json = JSON.stringify({ '': { data: { 'metrics.json': { data: { accuracy: 0.82, nested: { f1: 0.79 }, note: 'x' } }, 'bad.json': { error: { type: 'YAMLFileCorruptedError' } } } } });
    assert.deepEqual(parseDvcMetrics(json), { 'metrics.json:accuracy': 0.82, 'metrics.json:nested.f1': 0.79 });
    assert.deepEqual(parseDvcMetrics('not json'), {});
    assert.deepEqual(parseDvcMetrics('null'), {});
    assert.deepEqual(parseDvcMetrics('{"": {"data": {"m.json": {"data": [1, 2]}}}}'), {});
  });

  it('stays bounded on crafted input: deep nesting is skipped, many metrics are capped', () => {
    const deep = `${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}`;
    assert.deepEqual(parseDvcMetrics(`{"": {"data": {"m.json": {"data": ${deep}}, "ok.json": {"data": {"a": 1}}}}}`), { 'ok.json:a': 1 });
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, k) => [`m${k}`, k]));
    assert.equal(Object.keys(parseDvcMetrics(JSON.stringify({ '': { data: { 'm.json': { data: many } } } }))).length, 500);
  });

  it('reruns the recorded stages forced with dvc repro, never dvc exp run (it would add an experiment)', () => {
    assert.deepEqual(experimentReproArgv('/v/dvc', note(['dvc', 'exp', 'run', '-S', 'train.epochs=3'])), ['/v/dvc', 'repro', '--force']);
    assert.deepEqual(experimentReproArgv('dvc', note(['dvc', 'exp', 'run', 'train'], ['train'])), ['dvc', 'repro', '--force', 'train']);
    assert.deepEqual(experimentReproArgv('dvc', note(['dvc', 'repro', '-f', 'evaluate'])), ['dvc', 'repro', '--force', 'evaluate']);
    assert.deepEqual(experimentReproArgv('dvc', undefined), ['dvc', 'repro', '--force']);
  });

  it('shows the note\'s provenance in an experiment row\'s tooltip, at the experiment\'s own commit', () => {
    const n = note(['dvc', 'exp', 'run', '-S', 'train.epochs=3']);
    n.code = { commit: 'b'.repeat(40), branch: 'main', changedFiles: ['params.yaml'], patchBytes: 10, patchCapped: false, fileHashes: { 'params.yaml': 'h' } };
    n.data = { deps: { 'data/prepared': 'abc.dir' }, dvcFiles: {} };
    n.environment.image = { name: 'team/train:1', digest: `sha256:${'e'.repeat(64)}` };
    n.environment.gpu = { model: 'NVIDIA H100 80GB HBM3', driver: '550.54', cuda: '12.4' };
    const commit = 'a'.repeat(40);
    const lines = experimentNoteLines(l10n, commit, n).join('\n');
    assert.match(lines, /code `aaaaaaa` on main, clean/);
    assert.match(lines, /data: 1 hashed input/);
    assert.match(lines, /image team\/train:1 `eeeeeeeeeeee`/);
    assert.match(lines, /GPU NVIDIA H100 80GB HBM3, CUDA 12\.4/);
    assert.doesNotMatch(lines, /only what the run\'s store records/);
    const run = { id: commit, experimentId: 'b'.repeat(40), name: 'milky-firm', status: 'FINISHED' as const, params: {}, metrics: {}, tags: { 'git.commit': commit, 'dvc.kind': 'experiment' } };
    const tip = runTooltipMarkdown(l10n, run, 0, experimentNoteLines(l10n, commit, n));
    assert.match(tip, /image team\/train:1/);
    // Without a note the row says only what its commit tells.
    assert.match(runTooltipMarkdown(l10n, run, 0), /only what the run's store records/);
  });
});
