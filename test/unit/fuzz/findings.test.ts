// What the crafted-input fuzz found, each as its own case with the input made here, run in
// a child with a heap cap and a kill timer (findingsChild.ts).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { MAX_DIAGNOSTICS } from '../../../src/core/pipelines/languageService';
import { flowDepthPast } from '../../../src/core/pipelines/yamlDocument';

function runCase<T>(name: string): { result: T; ms: number } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', path.join(__dirname, 'findingsChild.ts'), name], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.error, undefined, `${name}: ${r.error?.message} (killed after 30 s?)`);
  assert.equal(r.status, 0, `${name} crashed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { result: T; ms: number };
}

describe('crafted-input fuzz findings (regressions, in a bounded child)', function () {
  this.timeout(60000);

  it('a params.yaml whose key is a 800-deep nested list is unreadable at once, not stringified for seconds', () => {
    // Before: the yaml package stringified the key level by level, 3.4 s per read, several reads per edit.
    const { result, ms } = runCase<{ data: unknown; diagnostics: number }>('paramsCollectionKey');
    assert.equal(result.data, null);
    assert.ok(ms < 2000, `${ms} ms`);
  });

  it('a params.yaml with a !!binary or an alias as a key is unreadable, without a process warning in the server log', () => {
    // Found by the fuzz (seed 2, params.yaml #29): the yaml package stringified the key and warned on stderr.
    assert.deepEqual(runCase('binaryAndAliasKeys').result, { data: [null, null], warnings: [] });
  });

  it('one long line with 80,000 parse errors: dvc.lock, YAML data and an mlruns meta.yaml each read in under 2 s (were 10 s: every error copied the line)', () => {
    const { result } = runCase<{ times: Record<string, number>; warning: string }>('longLineErrors');
    assert.deepEqual(Object.keys(result.times), ['dvc.lock', 'yaml data', 'mlruns meta.yaml']);
    for (const [what, ms] of Object.entries(result.times)) assert.ok(ms < 2000, `${what}: ${ms} ms`);
    assert.match(result.warning, /at line 3, column \d+/);
  });

  it('a dvc.lock with a collection key reads as no stages', () => {
    assert.deepEqual(runCase<string[]>('lockCollectionKey').result, []);
  });

  it('a DVCLive params.yaml with a collection key: a warning for that file, no params', () => {
    const { result, ms } = runCase<{ params: object; warnings: string[] }>('dvcliveCollectionKey');
    assert.deepEqual(result.params, {});
    assert.ok(result.warnings.some((w) => /mapping key is not a plain value/.test(w)), JSON.stringify(result.warnings));
    assert.ok(ms < 2000, `${ms} ms`);
  });

  it(`a dvc.yaml with 100,000 parse errors: ${MAX_DIAGNOSTICS} diagnostics and one that counts the rest`, () => {
    const { result } = runCase<{ count: number; last: string; lastMessage: string }>('manyErrors');
    assert.equal(result.count, MAX_DIAGNOSTICS + 1);
    assert.equal(result.last, 'too-many-problems');
    assert.match(result.lastMessage, /^\d+ more problems in this file are not shown \(the first 1000 are\)\.$/);
  });

  it('flow collections nested past 1,000 levels: one diagnostic where it gets too deep, at once (was a stack overflow and none)', () => {
    const { result, ms } = runCase<[string, number, string][][]>('tooDeep');
    for (const d of result) {
      assert.equal(d.length, 1, JSON.stringify(d));
      assert.deepEqual(d[0].slice(0, 2), ['yaml-syntax', 2]);
      assert.match(d[0][2], /nests deeper than the YAML parser can follow/);
    }
    assert.ok(ms < 2000, `${ms} ms`);
  });

  describe('the nesting pre-check counts flow brackets only where YAML would', () => {
    const deep = '{'.repeat(1001);
    for (const [name, text, at] of [
      ['a quoted string full of ${', `a: "${'${'.repeat(5000)}"\nb: 1`, -1],
      ["a single-quoted one with ''", `a: '${"{it''s".repeat(5000)}'`, -1],
      ['an escaped quote inside', `a: "x\\"${deep}"`, -1],
      ['a comment', `# ${deep}\nx: 1`, -1],
      ['an apostrophe in plain text, then real nesting', `desc: it's\nx: ${deep}`, 14 + 1000],
      ['flow sequences', `a: ${'['.repeat(1001)}`, 3 + 1000],
    ] as const)
      it(`${name}: ${at < 0 ? 'not too deep' : `too deep at ${at}`}`, () => assert.equal(flowDepthPast(text, 1000), at));
  });
});
