import { strict as assert } from 'node:assert';
import { concatColumn, parseCompareToHost, parseHostToCompare, parseHostToMetrics, parseMetricsToHost, parseMetricsViewState, toColumns } from '../../src/protocol/panels';

const run = { key: 'k', sourceId: 's', runId: 'r', name: 'n', color: '#fff', source: 'MLflow', status: 'FINISHED' };
const cols = { step: [1, 2], time: [3, 4], value: [0.5, NaN] };

describe('panel messages are checked on arrival', () => {
  it('accepts well-formed messages both ways', () => {
    assert.ok(parseHostToMetrics({ type: 'init', runs: [run], metrics: ['loss'], problems: [] }));
    assert.ok(parseHostToMetrics({ type: 'init', runs: [], metrics: [], problems: ['not read yet'], refs: [{ sourceId: 's', runId: 'r' }] }));
    assert.ok(parseHostToMetrics({ type: 'series', metric: 'loss', run: 'k', data: cols, total: 2, range: [1, 2] }));
    assert.ok(parseMetricsToHost({ type: 'range', metric: 'loss', axis: 'wall', lo: 1, hi: 2, width: 800 }));
    assert.ok(parseMetricsToHost({ type: 'range', metric: 'loss', axis: 'step', lo: null, hi: null, width: 800 }));
    assert.ok(parseHostToCompare({ type: 'compare', runs: [{ ...run, params: { a: '1' }, tags: {}, metrics: { loss: { last: 1, min: 0, max: 2, step: 3 } } }], problems: [] }));
    assert.ok(parseCompareToHost({ type: 'chart', metric: 'loss', width: 300 }));
  });
  it('carries series as Float64Arrays (binary through VS Code) and the metric direction settings', () => {
    const typed = toColumns([
      { step: 1, timestamp: 3, value: 0.5 },
      { step: 2, timestamp: 4, value: NaN },
    ]);
    assert.ok(typed.step instanceof Float64Array);
    assert.deepEqual(Array.from(typed.value), [0.5, NaN]);
    assert.ok(parseHostToMetrics({ type: 'series', metric: 'loss', run: 'k', data: typed, total: 2 }));
    assert.ok(parseHostToMetrics({ type: 'append', metric: 'loss', run: 'k', data: typed }));
    assert.equal(parseHostToMetrics({ type: 'append', metric: 'loss', run: 'k', data: { ...typed, time: new Int32Array(2) } }), undefined);
    assert.deepEqual(Array.from(concatColumn(typed.step, [7, 8])), [1, 2, 7, 8]);
    const compare = { type: 'compare', runs: [], problems: [] };
    assert.ok(parseHostToCompare({ ...compare, direction: { lower: ['val_*'], higher: [] } }));
    assert.equal(parseHostToCompare({ ...compare, direction: { lower: 'val_*', higher: [] } }), undefined);
  });
  it('rejects unknown types, missing fields, ragged columns and foreign data URLs', () => {
    assert.equal(parseHostToMetrics({ type: 'nope' }), undefined);
    assert.equal(parseHostToMetrics(null), undefined);
    assert.equal(parseHostToMetrics({ type: 'init', runs: [{ ...run, color: 3 }], metrics: [], problems: [] }), undefined);
    assert.equal(parseHostToMetrics({ type: 'init', runs: [run], metrics: [], problems: [], refs: [{ sourceId: 's' }] }), undefined);
    assert.equal(parseHostToMetrics({ type: 'series', metric: 'loss', run: 'k', data: { ...cols, step: [1] }, total: 2 }), undefined);
    assert.equal(parseHostToMetrics({ type: 'append', metric: 'loss', run: 'k', data: { step: ['1'], time: [1], value: [1] } }), undefined);
    assert.equal(parseMetricsToHost({ type: 'range', metric: 'loss', axis: 'epoch', lo: 1, hi: 2, width: 800 }), undefined);
    assert.equal(parseMetricsToHost({ type: 'exportPng', metric: 'loss', dataUrl: 'https://evil/x.png' }), undefined);
    assert.equal(parseHostToCompare({ type: 'compare', runs: [{ ...run, params: { a: 1 }, tags: {}, metrics: {} }], problems: [] }), undefined);
    assert.equal(parseCompareToHost({ type: 'chart', metric: 'loss' }), undefined);
  });
  it('carries the test-only probes: a request with an id, a reply of the panel\'s probe shape', () => {
    assert.ok(parseHostToMetrics({ type: 'probe', id: 1 }));
    assert.ok(parseHostToCompare({ type: 'probe', id: 2 }));
    assert.equal(parseHostToMetrics({ type: 'probe', id: '1' }), undefined);
    assert.equal(parseHostToCompare({ type: 'probe', id: 1.5 }), undefined);
    const metricsProbe = { charts: [{ metric: 'loss', series: [{ run: 'k', name: 'live', points: 3, lastStep: 60 }, { run: 'k2', name: 'b', points: 0, lastStep: null }] }] };
    assert.ok(parseMetricsToHost({ type: 'probeReply', id: 1, data: metricsProbe }));
    assert.equal(parseMetricsToHost({ type: 'probeReply', id: 1, data: { charts: [{ metric: 'loss', series: [{ run: 'k', name: 'live', points: 3 }] }] } }), undefined);
    assert.equal(parseMetricsToHost({ type: 'probeReply', data: metricsProbe }), undefined);
    assert.ok(parseCompareToHost({ type: 'probeReply', id: 2, data: { rows: ['Run'], params: ['lr'], highlighted: [] } }));
    assert.equal(parseCompareToHost({ type: 'probeReply', id: 2, data: { rows: ['Run'], params: 'lr', highlighted: [] } }), undefined);
    // A metrics reply is not a comparison's.
    assert.equal(parseCompareToHost({ type: 'probeReply', id: 2, data: metricsProbe }), undefined);
  });
  it('restores a saved view state with defaults for what an older build left out', () => {
    const s = parseMetricsViewState({ runs: [{ sourceId: 'a', runId: 'b' }, { bad: 1 }], smoothing: 5 });
    assert.deepEqual(s, { runs: [{ sourceId: 'a', runId: 'b' }], xAxis: 'step', smoothing: 0.99, logScale: false, hidden: [], groupBy: null, showRuns: true });
    assert.equal(parseMetricsViewState('x'), undefined);
  });
});
