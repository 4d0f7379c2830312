import { strict as assert } from 'node:assert';
import type { Artifact } from '../../../src/core/data/artifacts';
import { flattenMetrics, metricDirection, metricsFilesOf, parseMetricsFile } from '../../../src/core/data/metricsFiles';
import { bestColumns } from '../../../src/core/data/metricsTable';
import type { ArtifactVersion } from '../../../src/core/data/versionHistory';
import { artifactDescription, comparisonMarkdown, manifestChildren, pathTree, versionDescription, versionTooltip } from '../../../src/extension/data/dataFormat';
import { affectsDataView, changesHistory } from '../../../src/extension/data/watchFilter';
import { parseRevisionMetricsToHost } from '../../../src/protocol/revisionMetrics';

describe('data: metrics files', () => {
  it('finds top-level and stage metrics (wdir applied), sorted and unique', () => {
    const yaml = 'metrics:\n  - eval/scores.json\nstages:\n  train:\n    cmd: x\n    wdir: sub\n    metrics:\n      - metrics.json:\n          cache: false\n  ev:\n    cmd: y\n    metrics: [eval/scores.json]\n';
    assert.deepEqual(metricsFilesOf(yaml), ['eval/scores.json', 'sub/metrics.json']);
    assert.deepEqual(metricsFilesOf(': bad: ['), []);
  });

  it('flattens nested numbers and ignores strings and booleans', () => {
    assert.deepEqual(flattenMetrics({ acc: 0.9, test: { loss: 0.1, f1: 1 }, name: 'x', ok: true, list: [1] }), { acc: 0.9, 'test.loss': 0.1, 'test.f1': 1 });
    assert.deepEqual(parseMetricsFile('acc: 0.5\n', 'm.yaml'), { acc: 0.5 });
    assert.equal(parseMetricsFile('{bad', 'm.json'), undefined);
  });

  it('knows that loss and error go down and accuracy goes up', () => {
    assert.equal(metricDirection('test_loss'), 'min');
    assert.equal(metricDirection('val.rmse'), 'min');
    assert.equal(metricDirection('test_accuracy'), 'max');
    assert.equal(metricDirection('f1'), 'max');
  });

  it('marks the best value of each metric across revisions, ties included', () => {
    const cols = bestColumns([
      { rev: 'workspace', kind: 'workspace', metrics: { 'm.json': { acc: 0.8, loss: 0.3 } } },
      { rev: 'main', kind: 'branch', metrics: { 'm.json': { acc: 0.9, loss: 0.4 } } },
      { rev: 'release/0.1', kind: 'tag', metrics: { 'm.json': { acc: 0.9, loss: 0.2 } } },
    ]);
    assert.deepEqual(
      cols.map((c) => [c.key, c.direction, c.best, c.bestRevs]),
      [
        ['acc', 'max', 0.9, ['main', 'release/0.1']],
        ['loss', 'min', 0.2, ['release/0.1']],
      ],
    );
  });
});

const artifact = (p: string, isDir = false): Artifact => ({ path: p, source: { kind: 'dvc-file', file: `${p}.dvc` }, md5: 'a'.repeat(32) + (isDir ? '.dir' : ''), size: 1536, nfiles: isDir ? 2 : undefined, legacy: false, isDir });
const version = (over: Partial<ArtifactVersion> = {}): ArtifactVersion => ({
  commit: '0123456789abcdef0123456789abcdef01234567',
  subject: 'Retrain with more data',
  author: 'Ada',
  date: '2026-11-20T10:00:00Z',
  md5: 'b'.repeat(32),
  size: 2048,
  legacy: false,
  branches: ['main'],
  tags: ['release/0.1'],
  head: true,
  metrics: { 'metrics.json': { acc: 0.91234567 } },
  ...over,
});

describe('data: view text', () => {
  it('describes an artifact by size, file count and state', () => {
    assert.equal(artifactDescription(artifact('data/imgs', true)), '1.5 KB · 2 files');
    const state = { kind: 'modified' as const, workspace: 'modified' as const, cached: true, missingInCache: 0 };
    assert.equal(artifactDescription(artifact('m.bin'), state), '1.5 KB · modified');
  });

  it('describes a version by commit, refs, size and date, and lists its metrics in the tooltip', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    assert.equal(versionDescription(version(), now), '0123456 · HEAD, main, tag release/0.1 · 2.0 KB · 3 days ago');
    const tip = versionTooltip(artifact('m.bin'), version());
    assert.match(tip, /tag `release\/0\.1`/);
    assert.match(tip, /\| metrics\\\.json \| acc \| 0\.9123 \|/);
  });

  it('builds the path tree, merging folders that hold a single folder', () => {
    const t = pathTree([artifact('data/raw/a.csv'), artifact('data/raw/b.csv'), artifact('models/deep/m.pkl'), artifact('top.bin')]);
    assert.deepEqual(t.artifacts.map((a) => a.path), ['top.bin']);
    assert.deepEqual(t.folders.map((f) => [f.name, f.path]), [['data/raw', 'data/raw'], ['models/deep', 'models/deep']]);
    assert.deepEqual(t.folders[0].artifacts.map((a) => a.path), ['data/raw/a.csv', 'data/raw/b.csv']);
  });

  it('lists a manifest one level at a time', () => {
    assert.deepEqual(manifestChildren(['a.txt', 'x/b.txt', 'x/y/c.txt', 'z.txt'], ''), { dirs: ['x'], files: ['a.txt', 'z.txt'] });
    assert.deepEqual(manifestChildren(['a.txt', 'x/b.txt', 'x/y/c.txt'], 'x'), { dirs: ['y'], files: ['b.txt'] });
  });

  it('writes a comparison report with the size change, file lists and metric deltas', () => {
    const md = comparisonMarkdown('data/imgs', version({ subject: 'old', size: 100 }), version({ subject: 'new', size: 60 }), {
      sizeBefore: 100,
      sizeAfter: 60,
      nfilesBefore: 3,
      nfilesAfter: 2,
      files: { added: ['n.png'], removed: ['a.png', 'b.png'], changed: [], unchanged: 1 },
      metrics: [{ file: 'metrics.json', key: 'acc', before: 0.5, after: 0.75, delta: 0.25 }],
    });
    assert.match(md, /Size: 100 B → 60 B \(−40 B\)/);
    assert.match(md, /1 added, 2 removed, 0 changed, 1 unchanged/);
    assert.match(md, /\| metrics\.json \| acc \| 0\.5 \| 0\.75 \| \+0\.25 \|/);
  });
});

describe('data: refresh filter and panel messages', () => {
  it('ignores git and DVC internals but not refs, HEAD, config or workspace files', () => {
    assert.equal(affectsDataView('/p/.git/objects/ab/cdef'), false);
    assert.equal(affectsDataView('/p/.git/index.lock'), false);
    assert.equal(affectsDataView('/p/.dvc/cache/files/md5/ab/cd'), false);
    assert.equal(affectsDataView('/p/.dvc/tmp/lock'), false);
    assert.equal(affectsDataView('/p/.git/HEAD'), true);
    assert.equal(affectsDataView('/p/.git/refs/tags/release/0.1'), true);
    assert.equal(affectsDataView('/p/.dvc/config'), true);
    assert.equal(affectsDataView('/p/data/raw.csv.dvc'), true);
    assert.equal(affectsDataView('/p/node_modules/x/y.js'), false);
  });

  it('reads history again only for records and refs, not for an edited data file', () => {
    assert.equal(changesHistory('/p/data/raw.csv'), false);
    assert.equal(changesHistory('/p/data/raw.csv.dvc'), true);
    assert.equal(changesHistory('/p/dvc.lock'), true);
    assert.equal(changesHistory('/p/.git/refs/heads/main'), true);
  });

  it('accepts only well-formed messages from the webview', () => {
    assert.deepEqual(parseRevisionMetricsToHost({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseRevisionMetricsToHost({ type: 'setRecentCommits', count: 20 }), { type: 'setRecentCommits', count: 20 });
    assert.equal(parseRevisionMetricsToHost({ type: 'setRecentCommits', count: -1 }), undefined);
    assert.equal(parseRevisionMetricsToHost({ type: 'setRecentCommits', count: 1.5 }), undefined);
    assert.equal(parseRevisionMetricsToHost({ type: 'eval' }), undefined);
    assert.equal(parseRevisionMetricsToHost(null), undefined);
  });
});
