import { strict as assert } from 'node:assert';
import { parseMetricsViewState } from '../../../src/protocol/panels';
import { matchesFilter, NO_METRICS, NO_RUNS, onHostMessage, restoreMetricsState, setLogScale, setSmoothing, setXAxis, toggleRun } from '../../../webviews/metrics/state';
import { BASELINE, LIVE, metricsInit, metricsSeries, metricsStatus, panelRun, points, WIDE } from './panelFixtures';

describe('metrics webview state', () => {
  it('starts from the saved settings, or the defaults when there are none or they are an older shape', () => {
    const saved = { runs: [{ sourceId: 's', runId: 'r' }], xAxis: 'relative', smoothing: 0.2, logScale: true, hidden: ['k'], groupBy: 'param:lr', showRuns: false };
    assert.deepEqual(restoreMetricsState(saved).saved, saved);
    const fresh = restoreMetricsState(undefined);
    assert.deepEqual(fresh.saved, { runs: [], xAxis: 'step', smoothing: 0.6, logScale: false, hidden: [], groupBy: null, showRuns: true });
    assert.deepEqual([fresh.runs, fresh.metrics, fresh.notice.text], [[], [], '']);
    // A saved state from a build that kept smoothing as text and had no log scale.
    assert.deepEqual(restoreMetricsState({ runs: [{ sourceId: 's', runId: 'r' }, 'junk'], smoothing: '0.3', xAxis: 'epoch' }).saved, {
      runs: [{ sourceId: 's', runId: 'r' }],
      xAxis: 'step',
      smoothing: 0.6,
      logScale: false,
      hidden: [],
      groupBy: null,
      showRuns: true,
    });
  });

  it("takes the host's init: runs, metrics, and every run asked for (unread ones too) in the saved state", () => {
    const missing = { sourceId: 'mlflow-rest:http://127.0.0.1:5000', runId: 'gone' };
    const init = metricsInit([BASELINE, WIDE, LIVE], ['accuracy', 'loss'], ['Run gone cannot be shown: the server did not answer.'], [missing]);
    const s = onHostMessage(restoreMetricsState({ runs: [], xAxis: 'wall', smoothing: 0.1, logScale: false, hidden: [WIDE.key] }), init);
    assert.deepEqual(
      s.runs.map((r) => r.name),
      ['baseline', 'wide', 'live'],
    );
    assert.deepEqual(s.metrics, ['accuracy', 'loss']);
    assert.deepEqual(s.saved.runs.at(-1), missing);
    assert.equal(s.saved.runs.length, 4);
    // The user's settings survive a new init.
    assert.deepEqual([s.saved.xAxis, s.saved.smoothing, s.saved.hidden], ['wall', 0.1, [WIDE.key]]);
    assert.deepEqual(s.notice, { text: 'Run gone cannot be shown: the server did not answer.', kind: 'info' });
    // What the serializer reads back after a reload is the same runs.
    assert.deepEqual(parseMetricsViewState(JSON.parse(JSON.stringify(s.saved)))?.runs, s.saved.runs);
  });

  it('says why the panel is empty: no runs is an error, runs without metrics a hint, problems as sent', () => {
    const none = onHostMessage(restoreMetricsState(undefined), metricsInit([], []));
    assert.deepEqual(none.notice, { text: NO_RUNS, kind: 'error' });
    const noMetrics = onHostMessage(restoreMetricsState(undefined), metricsInit([LIVE], []));
    assert.deepEqual(noMetrics.notice, { text: NO_METRICS, kind: 'info' });
    const unread = onHostMessage(restoreMetricsState(undefined), metricsInit([], [], ['Run x cannot be shown: no such run.']));
    assert.deepEqual(unread.notice, { text: 'Run x cannot be shown: no such run.', kind: 'error' });
    const fine = onHostMessage(restoreMetricsState(undefined), metricsInit([BASELINE], ['loss']));
    assert.equal(fine.notice.text, '');
  });

  it("follows a run's status; series and appended points leave the state alone (they go to the charts)", () => {
    const s = onHostMessage(restoreMetricsState(undefined), metricsInit([BASELINE, LIVE], ['loss']));
    const done = onHostMessage(s, metricsStatus(LIVE, 'FINISHED', 1_700_000_100_000));
    assert.deepEqual(
      done.runs.map((r) => [r.name, r.status, r.endTime]),
      [
        ['baseline', 'FINISHED', undefined],
        ['live', 'FINISHED', 1_700_000_100_000],
      ],
    );
    assert.equal(s.runs[1].status, 'RUNNING', 'the state before is not changed');
    assert.deepEqual(onHostMessage(done, metricsStatus(panelRun(5, 'not-shown'), 'FAILED')).runs, done.runs, 'a run not shown changes nothing');
    const series = metricsSeries(LIVE, 'loss', points(5000));
    assert.equal(onHostMessage(done, series), done);
    assert.ok(series.type === 'series' && series.data.step.length < 5000, 'the host downsamples the series to the width');
  });

  it('keeps the settings the user changes, within their ranges', () => {
    let s = restoreMetricsState(undefined);
    s = setXAxis(s, 'relative');
    s = setSmoothing(s, 1.5);
    assert.equal(s.saved.smoothing, 0.99);
    s = setSmoothing(s, Number.NaN);
    assert.equal(s.saved.smoothing, 0.99, 'a slider value that is not a number changes nothing');
    s = setSmoothing(s, -1);
    assert.equal(s.saved.smoothing, 0);
    s = setLogScale(s, true);
    s = toggleRun(toggleRun(toggleRun(s, BASELINE.key), LIVE.key), BASELINE.key);
    assert.deepEqual(s.saved, { runs: [], xAxis: 'relative', smoothing: 0, logScale: true, hidden: [LIVE.key], groupBy: null, showRuns: true });
    assert.deepEqual(parseMetricsViewState(s.saved), s.saved, 'the saved settings parse back as they are');
  });

  it('filters charts by every word of the filter, in any order and case', () => {
    assert.ok(matchesFilter('val/Loss_epoch', 'loss VAL'));
    assert.ok(matchesFilter('accuracy', '  '));
    assert.ok(!matchesFilter('val/loss', 'train loss'));
  });
});
