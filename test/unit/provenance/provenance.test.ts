import { strict as assert } from 'node:assert';
import { stripCredentials } from '../../../src/core/provenance/credentials';
import { ENV_ALLOW_LIST, allowListedEnv } from '../../../src/core/provenance/envAllowList';
import { captureLockData, capturePatch, parseGpu, patchFiles } from '../../../src/core/provenance/capture';
import { diffProvenance, diffSummary } from '../../../src/core/provenance/diff';
import { provenanceSummaryLines, runProvenanceLines, viewFromTags } from '../../../src/core/provenance/view';
import { runTooltipMarkdown } from '../../../src/extension/runs/runsModel';
import { l10n } from '../l10nFormat';
import type { L10n } from '../../../src/core/common/l10n';

/** A translator that marks what it translated: text outside its marks did not go through it. */
const marked: L10n = { t: (m, ...args) => `<${l10n.t(m, ...args)}>` };
import { provenanceRows } from '../../../src/extension/panels/provenanceRows';
import { parseHostToCompare, type CompareRun } from '../../../src/protocol/panels';
import { onCompareMessage, provenanceLines, restoreCompareState } from '../../../webviews/compare/state';
import { parseNote } from '../../../src/core/provenance/gitNote';
import { compareMetrics, conflictFiles, missingData } from '../../../src/core/provenance/reproduce';
import { TAG_MAX, provenanceTags } from '../../../src/core/provenance/mlflowTags';
import type { Runner } from '../../../src/core/provenance/runner';
import type { Captured } from '../../../src/core/provenance/types';
import { jobProvenanceTags, joinJobProvenance, parseJobEnv } from '../../../src/core/provenance/jobProvenance';
import { engineEnd } from '../../../src/core/provenance/jobEnd';

describe('provenance capture', () => {
  it('strips user, password and tokens from remote URLs', () => {
    assert.equal(stripCredentials('https://alice:s3cret@github.com/org/repo.git'), 'https://github.com/org/repo.git');
    assert.equal(stripCredentials('https://ghp_TOKEN@github.com/org/repo.git'), 'https://github.com/org/repo.git');
    assert.equal(stripCredentials('https://oauth2:glpat-x@gitlab.example.com:8443/g/r.git?private_token=abc#x'), 'https://gitlab.example.com:8443/g/r.git');
    assert.equal(stripCredentials('ssh://git:pw@host.example/r.git'), 'ssh://git@host.example/r.git');
    assert.equal(stripCredentials('git@github.com:org/repo.git'), 'git@github.com:org/repo.git');
    assert.equal(stripCredentials('https://user:p%40ss@w@host/r'), 'https://host/r');
    assert.equal(stripCredentials('/srv/git/repo.git'), '/srv/git/repo.git');
  });

  it('keeps only allow-listed environment variables, never secrets', () => {
    const env = {
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ACCESS_KEY_ID: 'x',
      MLFLOW_TRACKING_TOKEN: 'x',
      MLFLOW_TRACKING_PASSWORD: 'x',
      HF_TOKEN: 'x',
      GITHUB_TOKEN: 'x',
      CUDA_VISIBLE_DEVICES: '0,1',
      PYTHONHASHSEED: '0',
      PATH: '/bin',
    };
    const kept = allowListedEnv(env);
    assert.deepEqual(kept, { CUDA_VISIBLE_DEVICES: '0,1', PYTHONHASHSEED: '0' });
    for (const name of ENV_ALLOW_LIST) assert.doesNotMatch(name, /SECRET|TOKEN|PASSWORD|KEY|CREDENTIAL|AUTH/i);
  });

  it('lists the files of a patch, each with a hash of its own part', () => {
    const patch = 'diff --git a/src/a.py b/src/a.py\n--- a/src/a.py\n+++ b/src/a.py\n@@ -1 +1 @@\n-x\n+y\ndiff --git a/b.bin b/b.bin\nGIT binary patch\nliteral 3\n';
    const files = patchFiles(patch);
    assert.deepEqual(Object.keys(files), ['src/a.py', 'b.bin']);
    const other = patchFiles(patch.replace('+y', '+z'));
    assert.notEqual(files['src/a.py'], other['src/a.py']);
    assert.equal(files['b.bin'], other['b.bin']);
    assert.deepEqual(patchFiles(''), {});
  });

  it('marks a patch over the cap as capped', async () => {
    const run: Runner = async (_argv, o) => ({ code: null, stdout: 'diff --git a/x b/x\n+1'.slice(0, o?.maxBytes), stderr: '', truncated: true });
    const p = await capturePatch(run, '/', 10);
    assert.equal(p.patchCapped, true);
    assert.equal(p.patch.length, 10);
  });

  it('reads GPU model, driver and CUDA from nvidia-smi; none is unknown', () => {
    const plain = '| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |';
    assert.deepEqual(parseGpu('NVIDIA H100 80GB HBM3, 550.54.15\nNVIDIA H100 80GB HBM3, 550.54.15\n', plain), { model: '2× NVIDIA H100 80GB HBM3', driver: '550.54.15', cuda: '12.4' });
    assert.deepEqual(parseGpu('', ''), { model: 'unknown', driver: 'unknown', cuda: 'unknown' });
  });

  it('takes the stage deps and params from dvc.lock and the md5 of the .dvc files they come from', async () => {
    const files: Record<string, string> = {
      'dvc.lock': 'schema: "2.0"\nstages:\n  train:\n    cmd: python t.py\n    deps:\n    - path: data/raw/a.csv\n      md5: aaa\n    - path: t.py\n      md5: bbb\n    params:\n      params.yaml:\n        train:\n          lr: 0.1\n          seed: 7\n    outs:\n    - path: m.pkl\n      md5: ccc\n  other:\n    cmd: x\n    deps:\n    - path: o\n      md5: ddd\n',
      'data/raw.dvc': 'outs:\n- md5: 123.dir\n  path: raw\n',
    };
    const got = await captureLockData(async (rel) => files[rel], ['train']);
    assert.deepEqual(got.data, { deps: { 'data/raw/a.csv': 'aaa', 't.py': 'bbb' }, dvcFiles: { 'data/raw.dvc': '123.dir' } });
    assert.deepEqual(got.params, { 'train.lr': '0.1', 'train.seed': '7' });
  });
});

describe('provenance views and diff', () => {
  const captured = (over: Partial<{ gpu: string; digest: string; hash: string; data: string }>): Captured => ({
    patch: '',
    pipFreeze: '',
    provenance: {
      version: 1,
      launcher: 'dvc-repro',
      code: { commit: 'c0ffee1234567', branch: 'main', changedFiles: ['a', 'b'], patchBytes: 10, patchCapped: false, fileHashes: { a: '1', b: over.hash ?? '2' } },
      params: { 'train.lr': '0.1' },
      data: { deps: { 'data/x': over.data ?? 'm1' }, dvcFiles: {} },
      environment: { host: 'h', gpu: { model: over.gpu ?? 'A100', driver: 'd', cuda: '12' }, python: '3.11', packages: 3, command: ['dvc', 'repro'], env: {}, image: { name: 'img:1', digest: over.digest ?? 'sha256:1' } },
      timing: { start: 1 },
    },
  });

  it('diffs two runs aspect by aspect', () => {
    const a = viewFromTags(provenanceTags(captured({}), 'train'));
    const b = viewFromTags(provenanceTags(captured({ gpu: 'H100', digest: 'sha256:2', hash: '3' }), 'train'));
    assert.equal(diffSummary(l10n, diffProvenance(l10n, a, b)), 'code: 1 file differs · data: same · params: same · image: differs · GPU: A100 vs H100 · Python: same');
    // nvidia-smi missing on both sides is unknown, not the same GPU.
    assert.deepEqual(diffProvenance(l10n, { ...a, gpu: 'unknown' }, { ...b, gpu: 'unknown' }).find((d) => d.aspect === 'GPU'), { aspect: 'GPU', same: undefined, text: 'unknown', items: [] });
  });

  it('says what is unknown for a run made outside the workbench', () => {
    const v = viewFromTags({ 'mlflow.source.git.commit': 'abcdef0123', 'mlflow.source.name': 'train.py' });
    assert.equal(v.recorded, false);
    assert.deepEqual(v.unknown, ['uncommitted changes', 'data', 'image', 'GPU', 'Python']);
    assert.match(provenanceSummaryLines(l10n, v).join('\n'), /only what the run's store records[\s\S]*code `abcdef0`[\s\S]*unknown: uncommitted changes/);
    const d = diffProvenance(l10n, v, viewFromTags({}));
    assert.equal(d[0].text, 'unknown for the second run');
  });

  it('keeps every tag within MLflow limits', () => {
    const c = captured({});
    c.provenance.data.deps = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`data/file-${i}.csv`, 'f'.repeat(32)]));
    const tags = provenanceTags(c, 'x');
    for (const v of Object.values(tags)) assert.ok(v.length <= TAG_MAX);
    assert.match(tags['mlops.data'], /^sha1:/);
    assert.equal(viewFromTags(tags).data, undefined);
  });

  it('accepts only its own notes', () => {
    assert.equal(parseNote('not json'), undefined);
    assert.equal(parseNote('{"version":2}'), undefined);
    assert.equal(parseNote(JSON.stringify(captured({}).provenance))?.launcher, 'dvc-repro');
  });
});

describe('provenance in a run tooltip', () => {
  it('summarises recorded provenance, says what a DVC experiment leaves unknown, and says nothing for TensorBoard', () => {
    const base = { id: 'r', experimentId: '0', name: 'r', status: 'FINISHED' as const, params: {}, metrics: {} };
    const recorded = runTooltipMarkdown(l10n, { ...base, tags: { 'mlops.launcher': 'dvc-repro', 'mlflow.source.git.commit': '0123456789', 'mlops.code.files': '{"a.py":"1"}', 'mlops.gpu': 'NVIDIA A100', 'mlops.data': '{"d":"m"}', 'mlops.python': '3.11.2' } });
    assert.match(recorded, /\*\*Provenance\*\*\n\ncode `0123456` \+ 1 changed file · data: 1 hashed input · GPU NVIDIA A100 · Python 3\.11\.2\n\nunknown: image/);
    assert.match(runProvenanceLines(l10n, { 'git.commit': 'abcdef123' }).join('\n'), /only what the run's store records[\s\S]*unknown: uncommitted changes, data, image, GPU, Python/);
    assert.deepEqual(runProvenanceLines(l10n, {}), []);
  });

  it('every word of its Provenance part comes from the translator', () => {
    const base = { id: 'r', experimentId: '0', name: 'r', status: 'FINISHED' as const, params: {}, metrics: {} };
    const tags = { 'mlops.launcher': 'dvc-repro', 'mlflow.source.git.commit': '0123456789', 'mlflow.source.git.branch': 'main', 'mlops.code.files': '{"a.py":"1","b.py":"2"}', 'mlops.code.patchCapped': 'true', 'mlops.code.skippedUntrackedCount': '3', 'mlops.gpu': 'NVIDIA A100', 'mlops.gpu.cuda': '12.4', 'mlops.data': '{"d":"m","e":"n"}', 'mlops.python': '3.11.2', 'mlops.host': 'node7', 'mlops.reproducedFrom': 'r0' };
    const tip = runTooltipMarkdown(marked, { ...base, tags });
    const part = tip.slice(tip.indexOf('<**Provenance**>'));
    assert.equal(part, [
      '<**Provenance**>',
      '',
      '<code `0123456` on main< + 2 changed files< (patch capped)><, 3 untracked files not recorded>>> · <data: 2 hashed inputs> · <GPU NVIDIA A100, CUDA 12.4> · <host node7> · <Python 3.11.2> · <reproduced from `r0`>',
      '',
      '<unknown: <image>>',
    ].join('\n'));
    assert.deepEqual(runProvenanceLines(marked, { 'git.commit': 'abcdef123' }).filter(Boolean), ["<**Provenance** (only what the run's store records)>", '<code `abcdef1`>', '<unknown: <uncommitted changes>, <data>, <image>, <GPU>, <Python>>']);
    assert.deepEqual(provenanceSummaryLines(marked, { recorded: true, unknown: [] }).filter(Boolean), ['<**Provenance**>', '<nothing recorded>']);
  });
});

describe('provenance in Compare Runs', () => {
  it('diffs each run against the first, and the message passes the protocol check', () => {
    const a = { 'mlops.launcher': 'dvc-repro', 'mlflow.source.git.commit': 'c1', 'mlops.code.files': '{"a":"1","b":"2"}', 'mlops.data': '{"d":"m"}', 'mlops.gpu': 'NVIDIA A100', 'mlops.image': 'img', 'mlops.image.digest': 'sha256:1' };
    const b = { ...a, 'mlops.code.files': '{"a":"9","c":"3"}', 'mlops.gpu': 'NVIDIA H100', 'mlops.image.digest': 'sha256:2' };
    const rows = provenanceRows(l10n, [{ key: 'k1', name: 'first', tags: a }, { key: 'k2', name: 'second', tags: b }, { key: 'k3', name: 'third', tags: {} }]);
    assert.equal(rows.length, 2);
    assert.match(rows[0].summary, /^code: 3 files differ · data: same · params: unknown · image: differs · GPU: NVIDIA A100 vs NVIDIA H100/);
    assert.deepEqual(rows[0].aspects[0].items, ['a', 'b', 'c']);
    assert.equal(rows[1].aspects[0].same, null);
    const msg = { type: 'compare', runs: [], problems: [], provenance: rows };
    assert.ok(parseHostToCompare(msg));
    assert.equal(parseHostToCompare({ ...msg, provenance: [{ run: 1 }] }), undefined);
    // The webview's lines: names instead of keys, a kind per aspect.
    const run = (key: string, name: string): CompareRun => ({ key, sourceId: 's', runId: key, name, color: '#123', source: 'MLflow', status: 'FINISHED', params: {}, tags: {}, metrics: {} });
    const state = onCompareMessage(restoreCompareState(undefined), { type: 'compare', runs: [run('k1', 'first'), run('k2', 'second'), run('k3', 'third')], problems: [], provenance: rows });
    const lines = provenanceLines(state);
    assert.deepEqual(lines.map((l) => `${l.name} vs ${l.against}`), ['second vs first', 'third vs first']);
    assert.deepEqual(lines[0].cells.slice(0, 2).map((c) => c.kind), ['differs', 'same']);
    assert.match(lines[1].unknown, /^not recorded: commit, uncommitted changes, data/);
    assert.deepEqual(lines.map((l) => l.ended), [[], []], 'no job ended early: no line says so');
    assert.ok(rows.every((r) => !('ended' in r)));
    assert.deepEqual(lines.map((l) => l.heading), ['second vs first', 'third vs first']);
    assert.deepEqual(lines[0].cells.map((c) => c.text), ['code: 3 files differ', 'data: same', 'params: unknown', 'image: differs', 'GPU: NVIDIA A100 vs NVIDIA H100', 'Python: unknown', 'host: unknown']);
    assert.equal(lines[0].unknown, 'not recorded: Python');
    // A row without its localized texts is refused.
    const { heading: _h, ...headless } = rows[0];
    assert.equal(parseHostToCompare({ ...msg, provenance: [headless] }), undefined);
    assert.equal(parseHostToCompare({ ...msg, provenance: [{ ...rows[0], aspects: rows[0].aspects.map(({ label: _l, ...a }) => a) }] }), undefined);
  });

  it('the webview shows only the host\'s translated text: heading, cells, not recorded, summary', () => {
    const a = { 'mlops.launcher': 'dvc-repro', 'mlflow.source.git.commit': 'c1', 'mlops.code.files': '{"a":"1"}', 'mlops.data': '{"d":"m"}', 'mlops.params': '{"lr":"1"}', 'mlops.python': '3.11' };
    const b = { 'mlflow.source.git.commit': 'c2', 'mlops.python': '3.12' };
    const rows = provenanceRows(marked, [{ key: 'k1', name: 'first', tags: a }, { key: 'k2', name: 'second', tags: b }]);
    const run = (key: string, name: string): CompareRun => ({ key, sourceId: 's', runId: key, name, color: '#123', source: 'MLflow', status: 'FINISHED', params: {}, tags: {}, metrics: {} });
    const [line] = provenanceLines(onCompareMessage(restoreCompareState(undefined), { type: 'compare', runs: [run('k1', 'first'), run('k2', 'second')], problems: [], provenance: rows }));
    assert.equal(line.heading, '<second vs first>');
    assert.deepEqual(line.cells.map((c) => c.text), [
      '<<code>: <commits differ (c1 vs c2)>>',
      '<<data>: <unknown for the second run>>',
      '<<params>: <unknown for the second run>>',
      '<<image>: <unknown>>',
      '<<GPU>: <unknown>>',
      '<<Python>: <3.11 vs 3.12>>',
      '<<host>: <unknown>>',
    ]);
    assert.equal(line.unknown, '<not recorded: <uncommitted changes>, <data>, <image>, <GPU>>');
    assert.match(rows[0].summary, /^<<code>: <commits differ \(c1 vs c2\)>> · <<data>: /);
    const same = provenanceRows(marked, [{ key: 'k1', name: 'first', tags: a }, { key: 'k3', name: 'third', tags: { ...a, 'mlops.code.files': '{"a":"2"}', 'mlops.params': '{"lr":"2","wd":"1"}' } }]);
    assert.deepEqual(same[0].aspects.slice(0, 3).map((x) => x.label), ['<<code>: <1 file differs>>', '<<data>: <same>>', '<<params>: <2 params differ>>']);
  });
});

describe('a cluster job Slurm ended early, in the tooltip and Compare Runs', () => {
  // The tags a job's run gets from its provenance.json (core/runs/jobRecord.ts), joined as ResultsHome joins them.
  const local: Captured = {
    provenance: {
      version: 1,
      launcher: 'dvc-repro',
      code: { commit: 'c'.repeat(40), changedFiles: [], patchBytes: 0, patchCapped: false, fileHashes: {} },
      params: {},
      data: { deps: { 'data/x.csv': 'm' }, dvcFiles: {} },
      environment: { host: 'unknown', gpu: { model: 'unknown', driver: 'unknown', cuda: 'unknown' }, python: 'unknown', packages: 0, command: ['dvc', 'repro', 'train'], env: {} },
      timing: { start: 1000 },
    },
    patch: '',
    pipFreeze: '',
  };
  const prologue = ['mlops-env 1', 'start=100', 'host=node7', 'python=Python 3.10.4'];
  const tagsOf = (jobId: string, env: string[], end?: Parameters<typeof engineEnd>[1]) => ({
    ...jobProvenanceTags(joinJobProvenance(local, parseJobEnv([...env, ''].join('\n')), { cluster: 'test', jobId }, end && engineEnd('Slurm', end)).provenance),
    'mlops.job.id': jobId,
    'mlops.job.cluster': 'test',
  });
  const timedOut = tagsOf('42', prologue, { raw: 'TIMEOUT', exitCode: 0, signal: 15 });
  const completed = tagsOf('43', [...prologue, '--- end', 'exit=0', 'end=160']);
  const base = { experimentId: '0', status: 'FINISHED' as const, params: {}, metrics: {} };

  it('the run\'s tooltip says why under its provenance; a job that ended by itself says nothing of it', () => {
    const tip = runTooltipMarkdown(l10n, { ...base, id: 'dvclive', name: 'job 42 (test)', tags: timedOut });
    assert.match(tip, /\*\*Provenance\*\*[\s\S]*host node7[\s\S]*\n\njob ended early: killed by Slurm: TIMEOUT \\\(signal 15\\\)$/);
    const normal = runTooltipMarkdown(l10n, { ...base, id: 'dvclive', name: 'job 43 (test)', tags: completed });
    assert.match(normal, /host node7/);
    assert.doesNotMatch(normal, /ended early/);
  });

  it('Compare Runs names the run that ended early, through the protocol check to the webview\'s lines, whichever side it is on', () => {
    const runs = [{ key: 'k43', name: 'job 43 (test)', tags: completed }, { key: 'k42', name: 'job 42 (test)', tags: timedOut }];
    const run = (key: string, name: string): CompareRun => ({ key, sourceId: 's', runId: key, name, color: '#123', source: 'DVCLive', status: 'FINISHED', params: {}, tags: {}, metrics: {} });
    const shown = runs.map((r) => run(r.key, r.name));
    const linesOf = (rows: ReturnType<typeof provenanceRows>, order: CompareRun[]) => {
      const msg = parseHostToCompare({ type: 'compare', runs: order, problems: [], provenance: rows });
      assert.ok(msg && msg.type === 'compare');
      return provenanceLines(onCompareMessage(restoreCompareState(undefined), msg)).map((l) => l.ended);
    };
    const text = 'job 42 (test) ended early: killed by Slurm: TIMEOUT (signal 15)';
    assert.deepEqual(linesOf(provenanceRows(l10n, runs), shown), [[text]]);
    assert.deepEqual(linesOf(provenanceRows(l10n, [...runs].reverse()), [...shown].reverse()), [[text]], 'the first run\'s end is said on its row too');
    assert.deepEqual(linesOf(provenanceRows(l10n, [runs[0], { ...runs[0], key: 'k44', name: 'job 44 (test)' }]), [shown[0], run('k44', 'job 44 (test)')]), [[]]);
    assert.equal(parseHostToCompare({ type: 'compare', runs: shown, problems: [], provenance: [{ ...provenanceRows(l10n, runs)[0], ended: [1] }] }), undefined);
  });
});

describe('Reproduce Run: reading the tools\' complaints, and the verdict', () => {
  it('names the data DVC could not restore (dvc 3.67 checkout output, cache and remote empty)', () => {
    const out = 'ERROR: Checkout failed for following targets:\ndata/a.txt\nmodels/m.pkl\nIs your cache up to date?\n<https://error.dvc.org/missing-files>\nWARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\nmd5: b1946ac92492d2347c6235b4d2611184\n';
    assert.deepEqual(missingData(out), ['data/a.txt', 'models/m.pkl', 'md5: b1946ac92492d2347c6235b4d2611184']);
    assert.deepEqual(missingData('Everything is up to date.\n'), []);
  });

  it('names the files of a patch that no longer applies (git apply --check output)', () => {
    assert.deepEqual(conflictFiles('error: patch failed: src/train.py:3\nerror: src/train.py: patch does not apply\nerror: b.bin: does not exist in index\n'), ['src/train.py', 'b.bin']);
  });

  it('compares metrics against the tolerance', () => {
    const tol = { absolute: 0, relative: 0.01 };
    assert.equal(compareMetrics({ acc: 0.9 }, { acc: 0.905 }, tol).verdict, 'reproduced within tolerance');
    assert.equal(compareMetrics({ acc: 0.9 }, { acc: 0.95 }, tol).verdict, 'not reproduced: metrics moved beyond tolerance');
    assert.equal(compareMetrics({}, { acc: 1 }, tol).verdict, 'not reproduced: no metrics to compare');
    const row = compareMetrics({ loss: 0 }, { loss: 0 }, tol).rows[0];
    assert.equal(row.relDelta, 0);
    assert.equal(row.within, true);
  });
});
