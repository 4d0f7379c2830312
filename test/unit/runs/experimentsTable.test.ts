import { strict as assert } from 'node:assert';
import type { RunSummary } from '../../../src/core/runs/types';
import { parseRunFilter } from '../../../src/core/runs/search';
import {
  aggregate,
  aggregateText,
  buildTableView,
  cellText,
  cellValue,
  clickSort,
  columnFromId,
  csvField,
  DEFAULT_LAYOUT,
  exportTable,
  formatNumber,
  markdownCell,
  moveColumn,
  orderedColumns,
  setPinned,
  setShown,
  setWidth,
  sortOrder,
  tableColumns,
  toCsv,
  visibleColumns,
  parseTableState,
  DEFAULT_TABLE_STATE,
  type TableRun,
} from '../../../src/core/runs/table';

function run(id: string, o: Partial<RunSummary> & { m?: Record<string, number> } = {}): TableRun {
  const metrics = Object.fromEntries(Object.entries(o.m ?? {}).map(([k, value]) => [k, { step: 0, timestamp: 0, value }]));
  const r: RunSummary = { id, experimentId: '0', name: o.name ?? id, status: o.status ?? 'FINISHED', params: o.params ?? {}, tags: o.tags ?? {}, metrics, startTime: o.startTime, endTime: o.endTime };
  return { key: `s\n${id}`, run: r, source: 'MLflow', experiment: 'Default' };
}

const col = (id: string) => columnFromId(id)!;
const names = (runs: TableRun[], rows: { kind: string; run?: number }[]) => rows.map((r) => (r.kind === 'run' ? runs[r.run!].run.id : 'G'));

describe('experiments table core', () => {
  const runs = [
    run('a', { params: { lr: '0.1', opt: 'adam', seed: '1' }, m: { acc: 0.9 }, tags: { team: 'x' } }),
    run('b', { params: { lr: '0.01', opt: 'sgd', seed: '2' }, m: { acc: 0.95 } }),
    run('c', { params: { lr: '1e-3', opt: 'adam', seed: '3' }, m: { acc: NaN } }),
    run('d', { params: { opt: 'adam' } }),
    run('e', { params: { lr: '0.1', opt: 'adam', seed: '4' }, m: { acc: 0.7 } }),
  ];

  it('lists the attributes, metrics, params, the source and tags, each by name; ids survive a round trip', () => {
    const cols = tableColumns(runs).map((c) => c.id);
    assert.deepEqual(cols, ['attr:status', 'attr:name', 'attr:experiment', 'attr:created', 'attr:duration', 'metric:acc', 'param:lr', 'param:opt', 'param:seed', 'attr:source', 'tag:team']);
    assert.deepEqual(columnFromId('tag:a:b'), { id: 'tag:a:b', kind: 'tag', key: 'a:b', label: 'a:b' });
    assert.equal(columnFromId('attr:nope'), undefined);
    assert.equal(columnFromId('bogus'), undefined);
    assert.equal(columnFromId('param:'), undefined);
  });

  it('adds min/max columns for a metric once its extremes are read', () => {
    const r = { ...run('x', { m: { loss: 0.2 } }), extremes: { loss: { min: 0.1, max: 2 } } };
    const ids = tableColumns([r]).map((c) => c.id);
    assert.deepEqual(ids.slice(5, 8), ['metric:loss', 'metricMin:loss', 'metricMax:loss']);
    assert.equal(cellValue(r, col('metricMin:loss'), 0), 0.1);
    assert.equal(cellValue(runs[0], col('metricMax:acc'), 0), undefined);
  });

  it('duration counts up while RUNNING, is unknown without an end otherwise, never negative', () => {
    const dur = col('attr:duration');
    assert.equal(cellValue(run('r', { status: 'RUNNING', startTime: 1000 }), dur, 61_000), 60_000);
    assert.equal(cellValue(run('f', { status: 'FAILED', startTime: 1000 }), dur, 61_000), undefined);
    assert.equal(cellValue(run('z', { startTime: 5000, endTime: 1000 }), dur, 0), 0);
    assert.equal(cellText(dur, 60_000), '1m 00s');
  });

  it('does not read inherited keys as params ("constructor", "__proto__")', () => {
    assert.equal(cellValue(runs[0], col('param:constructor'), 0), undefined);
    assert.equal(cellValue(runs[0], col('metric:toString'), 0), undefined);
  });

  it('sorts params numerically (1e-3 < 0.01 < 0.1), missing last in both directions, NaN after numbers', () => {
    const value = (i: number, id: string) => cellValue(runs[i], col(id), 0);
    assert.deepEqual(sortOrder(5, [{ column: 'param:lr', desc: false }], value).map((i) => runs[i].run.id), ['c', 'b', 'a', 'e', 'd']);
    assert.deepEqual(sortOrder(5, [{ column: 'param:lr', desc: true }], value).map((i) => runs[i].run.id), ['a', 'e', 'b', 'c', 'd']);
    assert.deepEqual(sortOrder(5, [{ column: 'metric:acc', desc: true }], value).map((i) => runs[i].run.id), ['b', 'a', 'e', 'c', 'd']);
    // Second key breaks the tie of the first (a and e share lr 0.1).
    assert.deepEqual(sortOrder(5, [{ column: 'param:lr', desc: true }, { column: 'metric:acc', desc: false }], value).map((i) => runs[i].run.id), ['e', 'a', 'b', 'c', 'd']);
  });

  it('sorts text naturally (run-2 before run-10) and does not read "" or hex as numbers', () => {
    const rs = [run('run-10'), run('run-2'), run('0x10'), run('9')];
    const value = (i: number, id: string) => cellValue(rs[i], col(id), 0);
    assert.deepEqual(sortOrder(4, [{ column: 'attr:name', desc: false }], value).map((i) => rs[i].run.id), ['9', '0x10', 'run-2', 'run-10']);
  });

  it('header clicks: asc → desc → off; shift adds a key, turns it, drops it', () => {
    assert.deepEqual(clickSort([], 'a', false), [{ column: 'a', desc: false }]);
    assert.deepEqual(clickSort([{ column: 'a', desc: false }], 'a', false), [{ column: 'a', desc: true }]);
    assert.deepEqual(clickSort([{ column: 'a', desc: true }], 'a', false), []);
    assert.deepEqual(clickSort([{ column: 'a', desc: false }], 'b', false), [{ column: 'b', desc: false }]);
    const two = clickSort([{ column: 'a', desc: false }], 'b', true);
    assert.deepEqual(two, [{ column: 'a', desc: false }, { column: 'b', desc: false }]);
    assert.deepEqual(clickSort(two, 'a', true), [{ column: 'a', desc: true }, { column: 'b', desc: false }]);
    assert.deepEqual(clickSort(clickSort(two, 'a', true), 'a', true), [{ column: 'b', desc: false }]);
  });

  it('filters with MLflow syntax (a run without the metric matches no comparison)', () => {
    const parsed = parseRunFilter("metrics.acc > 0.8 and params.opt = 'adam'");
    assert.ok(parsed.ok);
    const v = buildTableView(runs, [], { filter: parsed.filter, sort: [] }, 0);
    assert.deepEqual(names(runs, v.rows), ['a']);
    assert.equal(v.matched, 1);
    const ne = parseRunFilter('metrics.acc != 0.9');
    assert.ok(ne.ok);
    assert.deepEqual(names(runs, buildTableView(runs, [], { filter: ne.filter, sort: [] }, 0).rows), ['b', 'c', 'e']);
  });

  it('groups by a param with count, mean ± sample std, min, max per column; runs without the param group last', () => {
    const cols = [col('metric:acc'), col('param:seed'), col('param:opt')];
    const v = buildTableView(runs, cols, { sort: [{ column: 'metric:acc', desc: true }], groupBy: 'param:lr' }, 0);
    assert.deepEqual(names(runs, v.rows), ['G', 'c', 'G', 'b', 'G', 'a', 'e', 'G', 'd']);
    const g01 = v.rows[4];
    assert.ok(g01.kind === 'group');
    assert.equal(g01.id, 'v:0.1');
    const acc = g01.aggregates.get('metric:acc')!;
    assert.equal(acc.count, 2);
    assert.ok(Math.abs(acc.mean! - 0.8) < 1e-12);
    // Sample std of 0.9 and 0.7: sqrt(((0.1)^2 + (0.1)^2) / 1) = 0.1414…
    assert.ok(Math.abs(acc.std! - Math.SQRT2 / 10) < 1e-12);
    assert.equal(acc.min, 0.7);
    assert.equal(acc.max, 0.9);
    assert.equal(aggregateText(col('metric:acc'), acc), '0.8 ± 0.14');
    // A group's start is its earliest run's, not the mean of the times.
    assert.equal(aggregateText(col('attr:created'), aggregate([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 3)])), cellText(col('attr:created'), Date.UTC(2026, 0, 1)));
    assert.equal(g01.aggregates.get('param:opt')!.same, 'adam');
    // A group of one NaN: counted, but no mean.
    const gc = v.rows[0];
    assert.ok(gc.kind === 'group');
    assert.deepEqual(gc.aggregates.get('metric:acc'), { count: 1, same: 'NaN' });
    // The group without lr comes last; its member has no acc.
    const last = v.rows[7];
    assert.ok(last.kind === 'group' && last.id === 'none' && last.aggregates.get('metric:acc')!.count === 0);
  });

  it('a collapsed group keeps its row and hides its runs', () => {
    const v = buildTableView(runs, [], { sort: [], groupBy: 'param:opt', collapsed: new Set(['v:adam']) }, 0);
    assert.deepEqual(names(runs, v.rows), ['G', 'G', 'b']);
  });

  it('aggregates large values without cancellation (Welford) and one value without std', () => {
    const a = aggregate([1e9 + 1, 1e9 + 2, 1e9 + 3]);
    assert.equal(a.mean, 1e9 + 2);
    assert.ok(Math.abs(a.std! - 1) < 1e-9);
    assert.deepEqual(aggregate(['3']), { count: 1, mean: 3, min: 3, max: 3, same: '3' });
    assert.deepEqual(aggregate([undefined, 'a', 'b']), { count: 2 });
  });

  it('formats numbers short on screen', () => {
    assert.equal(formatNumber(0.123456789), '0.123457');
    assert.equal(formatNumber(42), '42');
    assert.equal(formatNumber(1.5e-7), '1.5e-7');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatNumber(-Infinity), '-Infinity');
  });

  it('exports CSV by RFC 4180 and Markdown with escaped pipes; every digit kept', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(toCsv([['a', 'b'], ['1', '']]), 'a,b\r\n1,\r\n');
    assert.equal(markdownCell('a|b\\c\nd'), 'a\\|b\\\\c<br>d');
    const r = [run('q', { name: 'x,"y"', params: { note: 'p|q' }, m: { acc: 0.123456789 }, startTime: Date.UTC(2026, 0, 2, 3, 4, 5), endTime: Date.UTC(2026, 0, 2, 3, 4, 6, 500) })];
    const cols = [col('attr:name'), col('param:note'), col('metric:acc'), col('attr:created'), col('attr:duration')];
    const rows = buildTableView(r, cols, { sort: [] }, 0).rows;
    assert.equal(exportTable('csv', r, cols, rows, 0), 'Name,note,acc,Created,Duration (s)\r\n"x,""y""",p|q,0.123456789,2026-01-02T03:04:05.000Z,1.5\r\n');
    assert.equal(exportTable('markdown', r, cols, rows, 0), '| Name | note | acc | Created | Duration (s) |\n| --- | --- | --- | --- | --- |\n| x,"y" | p\\|q | 0.123456789 | 2026-01-02T03:04:05.000Z | 1.5 |\n');
  });

  it('layout: tags hidden until chosen, pinned first, moves and widths clamped, new columns land among their kind', () => {
    const all = tableColumns(runs);
    let l = DEFAULT_LAYOUT;
    assert.ok(!visibleColumns(all, l).some((c) => c.kind === 'tag'));
    l = setShown(l, col('tag:team'), true);
    l = setShown(l, col('attr:source'), false);
    const vis = visibleColumns(all, l).map((c) => c.id);
    assert.equal(vis[0], 'attr:name'); // pinned by default
    assert.ok(vis.includes('tag:team') && !vis.includes('attr:source'));
    l = setPinned(l, 'metric:acc', true);
    assert.deepEqual(orderedColumns(all, l).slice(0, 2).map((c) => c.id), ['attr:name', 'metric:acc']);
    l = moveColumn(all, l, 'param:seed', 'param:lr');
    const order = orderedColumns(all, l).map((c) => c.id);
    assert.ok(order.indexOf('param:seed') === order.indexOf('param:lr') - 1);
    // A param that appears later sits after the params it follows by name.
    const more = tableColumns([...runs, run('n', { params: { opt2: 'x' } })]);
    const o2 = orderedColumns(more, l).map((c) => c.id);
    assert.equal(o2[o2.indexOf('param:opt') + 1], 'param:opt2');
    assert.equal(setWidth(l, 'x', 5).widths.x, 40);
    assert.equal(setWidth(l, 'x', 1e9).widths.x, 2000);
  });

  it('sorts and groups 100,000 runs in well under a second', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => run(`r${i}`, { params: { lr: String((i % 7) / 100), seed: String(i % 5) }, m: { acc: (i * 7919) % 1000 / 1000 } }));
    const t0 = performance.now();
    const v = buildTableView(many, [col('metric:acc'), col('param:seed')], { sort: [{ column: 'metric:acc', desc: true }, { column: 'param:seed', desc: false }], groupBy: 'param:lr' }, 0);
    const ms = performance.now() - t0;
    assert.equal(v.rows.length, 100_007);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });
});

describe('experiments table saved state', () => {
  it('reads a saved state back field by field; wrong fields get their defaults, widths are clamped', () => {
    const saved = { layout: { order: ['param:lr'], shown: ['tag:x'], hidden: [], pinned: [], widths: { 'param:lr': 90 } }, sort: [{ column: 'metric:acc', desc: true }], groupBy: 'param:seed', collapsed: ['v:1'], search: 'metrics.acc > 0', minMax: ['loss'], expanded: [] };
    assert.deepEqual(parseTableState(saved), saved);
    const bad = parseTableState({ layout: { order: 'x', widths: { a: 1e9, b: 'wide', c: -5 } }, sort: [{ column: 1 }], groupBy: 3, search: null });
    assert.deepEqual(bad.layout, { order: [], shown: [], hidden: [], pinned: ['attr:name'], widths: { a: 2000, c: 40 } });
    assert.deepEqual(bad.sort, []);
    assert.equal(bad.groupBy, undefined);
    assert.equal(bad.search, '');
    assert.deepEqual(parseTableState(undefined), DEFAULT_TABLE_STATE);
  });
});
