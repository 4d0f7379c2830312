import { strict as assert } from 'node:assert';
import { experimentReproArgv, parseDvcMetrics } from '../../../src/core/provenance/reproduceExperiment';
import type { Provenance } from '../../../src/core/provenance/types';

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
});
