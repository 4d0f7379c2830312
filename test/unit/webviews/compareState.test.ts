import { strict as assert } from 'node:assert';
import { parseRunRefs } from '../../../src/protocol/panels';
import {
  baselineIndex,
  baselineOptions,
  brushStatus,
  chartsChanged,
  highlighted,
  NO_RUNS,
  ONE_RUN,
  onCompareMessage,
  overlayRuns,
  parallelAxes,
  parseCompareViewState,
  resetCharts,
  restoreCompareState,
  scatterAxes,
  setBaseline,
  setBrush,
  setDiffOnly,
  setMetric,
  setScatter,
  toggleRun,
} from '../../../webviews/compare/state';
import { BASELINE, COMPARED, compareMessage, LIVE, WIDE } from './panelFixtures';

const ids = (dims: { id: string }[]) => dims.map((d) => d.id);
const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('comparison webview state', () => {
  it('restores the saved choices field by field; what is missing or of another type gets its default', () => {
    const saved = { runs: [{ sourceId: 's', runId: 'r' }], diffOnly: true, baseline: 'k', metric: 'loss', scatterX: 'param:lr', scatterY: 'metric:loss', hidden: ['k2'] };
    assert.deepEqual(parseCompareViewState(saved), saved);
    assert.deepEqual(json(parseCompareViewState({ runs: [{ runId: 'r' }], diffOnly: 'yes', metric: 3, hidden: ['a', 1] })), { runs: [], diffOnly: false, hidden: ['a'] });
    assert.deepEqual(json(restoreCompareState(null).saved), { runs: [], diffOnly: false, hidden: [] });
  });

  it("takes the host's runs: the metrics, the chart dimensions, the first metric, and the runs to save", () => {
    const s = onCompareMessage(restoreCompareState(undefined), compareMessage(COMPARED, [], { lower: ['loss'], higher: [] }));
    assert.deepEqual(s.metrics, ['accuracy', 'loss']);
    // Only params that differ make a chart axis: epochs and seed are the same everywhere.
    assert.deepEqual(ids(s.dims), ['param:lr', 'param:optimizer', 'metric:accuracy', 'metric:loss']);
    assert.equal(s.saved.metric, 'accuracy');
    assert.deepEqual(s.direction, { lower: ['loss'], higher: [] });
    assert.deepEqual(s.saved.runs, [BASELINE, WIDE, LIVE].map((r) => ({ sourceId: r.sourceId, runId: r.runId })));
    // What the panel's serializer reads back after a reload.
    assert.deepEqual(parseRunRefs(json(s.saved)), s.saved.runs);
    assert.deepEqual(
      baselineOptions(s).map((o) => o.label),
      ['None', 'baseline', 'wide', 'live'],
    );
  });

  it('keeps the chosen metric while the runs have it, and redraws the charts only when it changes', () => {
    const first = onCompareMessage(restoreCompareState({ runs: [], metric: 'loss' }), compareMessage(COMPARED));
    assert.equal(first.saved.metric, 'loss');
    assert.ok(chartsChanged(restoreCompareState(undefined), first), 'the first runs draw the charts');
    // A training run re-read: same metrics, the charts stay (and keep their brushes).
    const again = onCompareMessage(first, compareMessage(COMPARED));
    assert.equal(chartsChanged(first, again), false);
    // The chosen metric is gone (only the run without accuracy left, chosen accuracy): the first there is.
    const onAccuracy = setMetric(first, 'accuracy');
    const onlyLive = onCompareMessage(onAccuracy, compareMessage([COMPARED[2]]));
    assert.equal(onlyLive.saved.metric, 'loss');
    assert.ok(chartsChanged(onAccuracy, onlyLive));
    const none = onCompareMessage(first, compareMessage([]));
    assert.equal(none.saved.metric, undefined);
  });

  it('says why the comparison is empty or thin', () => {
    const empty = onCompareMessage(restoreCompareState(undefined), compareMessage([]));
    assert.deepEqual(empty.notice, { text: NO_RUNS, kind: 'error' });
    const one = onCompareMessage(restoreCompareState(undefined), compareMessage([COMPARED[0]], ['loss of wide: min and max unknown (timeout).']));
    assert.deepEqual(one.notice, { text: `loss of wide: min and max unknown (timeout).\n${ONE_RUN}`, kind: 'info' });
    assert.equal(onCompareMessage(restoreCompareState(undefined), compareMessage(COMPARED)).notice.text, '');
  });

  it('puts the params that differ and the chosen metric on the charts; the scatter keeps saved axes that still exist', () => {
    const s = resetCharts(onCompareMessage(restoreCompareState(undefined), compareMessage(COMPARED)));
    assert.deepEqual(ids(parallelAxes(s)), ['param:lr', 'param:optimizer', 'metric:accuracy']);
    assert.deepEqual([s.saved.scatterX, s.saved.scatterY], ['param:lr', 'metric:accuracy']);
    const saved = resetCharts(onCompareMessage(restoreCompareState({ runs: [], scatterX: 'param:optimizer', scatterY: 'param:gone' }), compareMessage(COMPARED)));
    // A saved axis that no longer exists falls back to the first option, as the select shows.
    assert.deepEqual([saved.saved.scatterX, saved.saved.scatterY], ['param:optimizer', 'param:lr']);
    const { x, y } = scatterAxes(setScatter(s, 'metric:loss', 'param:lr'));
    assert.deepEqual([x?.id, y?.id], ['metric:loss', 'param:lr']);
  });

  it('highlights the runs both brushes hold; new scatter axes or new charts let the brushes go', () => {
    let s = resetCharts(onCompareMessage(restoreCompareState(undefined), compareMessage(COMPARED)));
    assert.equal(highlighted(s), undefined);
    assert.equal(brushStatus(s), '');
    s = setBrush(s, 'parallel', new Set([BASELINE.key, WIDE.key]));
    assert.deepEqual([...highlighted(s)!], [BASELINE.key, WIDE.key]);
    s = setBrush(s, 'scatter', new Set([WIDE.key, LIVE.key]));
    assert.deepEqual([...highlighted(s)!], [WIDE.key]);
    assert.equal(brushStatus(s), '1 of 3 runs selected');
    const axes = setScatter(s, 'param:optimizer', 'metric:loss');
    assert.deepEqual([...highlighted(axes)!], [BASELINE.key, WIDE.key], 'the parallel brush stays');
    assert.equal(highlighted(resetCharts(s)), undefined);
    assert.equal(highlighted(setMetric(s, 'loss')), undefined);
  });

  it('keeps the table and legend choices: diff-only, baseline (None clears it), hidden runs', () => {
    let s = onCompareMessage(restoreCompareState(undefined), compareMessage(COMPARED));
    s = setDiffOnly(s, true);
    s = setBaseline(s, WIDE.key);
    assert.equal(baselineIndex(s), 1);
    assert.equal(baselineIndex(setBaseline(s, '')), -1);
    assert.equal(setBaseline(s, '').saved.baseline, undefined);
    s = toggleRun(toggleRun(s, LIVE.key), BASELINE.key);
    assert.deepEqual(toggleRun(s, LIVE.key).saved.hidden, [BASELINE.key]);
    assert.deepEqual(json(parseCompareViewState(json(s.saved))), json(s.saved), 'the saved choices parse back as they are');
  });

  it("overlays the chosen metric's runs only", () => {
    const s = onCompareMessage(restoreCompareState(undefined), compareMessage(COMPARED));
    assert.deepEqual(
      overlayRuns(s).map((r) => r.name),
      ['baseline', 'wide'],
    );
    assert.equal(overlayRuns(setMetric(s, 'loss')).length, 3);
    assert.deepEqual(overlayRuns(restoreCompareState(undefined)), []);
  });
});
