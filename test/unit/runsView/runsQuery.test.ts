import { strict as assert } from 'node:assert';
import type { RunStatus, RunSummary } from '../../../src/core/runs/types';
import { nextDelay, Poller } from '../../../src/extension/runs/poller';
import {
  describeViewState,
  filterRuns,
  groupRuns,
  keysOf,
  normalizeViewState,
  parseCondition,
  searchInputProblem,
  searchRuns,
  sortRuns,
  DEFAULT_VIEW_STATE,
  type RunFilter,
} from '../../../src/extension/runs/runsQuery';

function run(name: string, opts: { status?: RunStatus; start?: number; end?: number; exp?: string; metrics?: Record<string, number>; params?: Record<string, string> } = {}): RunSummary {
  const metrics = Object.fromEntries(Object.entries(opts.metrics ?? {}).map(([k, v]) => [k, { step: 0, timestamp: 0, value: v }]));
  return { id: name, experimentId: opts.exp ?? '1', name, status: opts.status ?? 'FINISHED', startTime: opts.start, endTime: opts.end, params: opts.params ?? {}, tags: {}, metrics };
}

const runs = [
  run('a', { start: 3, metrics: { loss: 0.5, acc: 0.8 }, params: { lr: '0.01', opt: 'adam' }, exp: '1' }),
  run('b', { start: 1, status: 'FAILED', metrics: { loss: 0.2 }, params: { lr: '0.1', opt: 'sgd' }, exp: '2' }),
  run('c', { start: 2, status: 'RUNNING', metrics: { loss: NaN }, params: { lr: '0.001' }, exp: '1' }),
  run('d', { metrics: {}, params: { lr: '1e-4', opt: 'AdamW' }, exp: '2' }),
];
const names = (rs: RunSummary[]) => rs.map((r) => r.name);

describe('Runs view sort, filter and group', () => {
  it('parses conditions and refuses what cannot compare', () => {
    assert.deepEqual(parseCondition('< 0.5'), { op: '<', value: '0.5' });
    assert.deepEqual(parseCondition('>=10'), { op: '>=', value: '10' });
    assert.deepEqual(parseCondition('adam'), { op: '=', value: 'adam' });
    assert.deepEqual(parseCondition(' ~ Res Net '), { op: '~', value: 'Res Net' });
    assert.deepEqual(parseCondition('exists'), { op: 'exists', value: '' });
    assert.ok('error' in parseCondition('< abc'));
    assert.ok('error' in parseCondition('>='));
    assert.ok('error' in parseCondition(' '));
  });

  it('filters by status, metric and param (numbers as numbers, text case-insensitive contains)', () => {
    const f = (...filters: RunFilter[]) => names(filterRuns(runs, filters));
    assert.deepEqual(f({ kind: 'status', statuses: ['FAILED', 'RUNNING'] }), ['b', 'c']);
    assert.deepEqual(f({ kind: 'metric', key: 'loss', op: '<', value: '0.3' }), ['b'], 'NaN and missing never pass a comparison');
    assert.deepEqual(f({ kind: 'metric', key: 'loss', op: 'exists', value: '' }), ['a', 'b', 'c']);
    assert.deepEqual(f({ kind: 'param', key: 'lr', op: '=', value: '0.0001' }), ['d'], '1e-4 equals 0.0001 as a number');
    assert.deepEqual(f({ kind: 'param', key: 'opt', op: '~', value: 'ADAM' }), ['a', 'd']);
    assert.deepEqual(f({ kind: 'param', key: 'opt', op: '!=', value: 'adam' }), ['b', 'c', 'd'], 'a run without the param differs');
    assert.deepEqual(f({ kind: 'param', key: 'lr', op: '>', value: '0.005' }, { kind: 'status', statuses: ['FINISHED'] }), ['a']);
  });

  it('sorts by any key, runs without it last in both directions', () => {
    assert.deepEqual(names(sortRuns(runs, { by: 'start', descending: true })), ['a', 'c', 'b', 'd']);
    assert.deepEqual(names(sortRuns(runs, { by: 'metric:loss', descending: false })), ['b', 'a', 'c', 'd']);
    assert.deepEqual(names(sortRuns(runs, { by: 'metric:loss', descending: true })), ['a', 'b', 'c', 'd']);
    assert.deepEqual(names(sortRuns(runs, { by: 'param:lr', descending: false })), ['d', 'c', 'a', 'b'], 'numerically, not as text');
    assert.deepEqual(names(sortRuns(runs, { by: 'status', descending: false })), ['c', 'a', 'd', 'b']);
    assert.deepEqual(names(sortRuns(runs, { by: 'name', descending: true })), ['d', 'c', 'b', 'a']);
  });

  it('groups by experiment (in the source\'s order, empty ones left out) or by a param\'s values', () => {
    const exps = [{ id: '0', name: 'Default' }, { id: '2', name: 'two' }, { id: '1', name: 'one' }];
    assert.deepEqual(groupRuns(runs, exps, 'experiment').map((g) => [g.label, names(g.runs)]), [['two', ['b', 'd']], ['one', ['a', 'c']]]);
    assert.deepEqual(groupRuns(runs, exps, 'param:lr').map((g) => g.label), ['lr = 1e-4', 'lr = 0.001', 'lr = 0.01', 'lr = 0.1']);
    assert.deepEqual(groupRuns(runs, exps, 'param:opt').map((g) => [g.label, names(g.runs)]), [['opt = adam', ['a']], ['opt = AdamW', ['d']], ['opt = sgd', ['b']], ['no opt', ['c']]]);
    assert.deepEqual(groupRuns(runs, exps, 'none').map((g) => g.runs.length), [4]);
  });

  it('describes only what differs from the default, and survives a damaged stored state', () => {
    assert.equal(describeViewState(DEFAULT_VIEW_STATE), '');
    const s = { sort: { by: 'metric:loss' as const, descending: false }, filters: [{ kind: 'status' as const, statuses: ['FAILED' as const] }, { kind: 'metric' as const, key: 'acc', op: '>=' as const, value: '0.9' }], group: 'param:lr' as const };
    assert.equal(describeViewState(s), 'filter: status failed, acc >= 0.9 · sort: loss ↑ · by lr');
    assert.deepEqual(normalizeViewState(JSON.parse(JSON.stringify(s))), s);
    assert.deepEqual(normalizeViewState({ sort: 3, filters: [null, { kind: 'metric' }], group: 'weird' }), DEFAULT_VIEW_STATE);
    assert.deepEqual(keysOf(runs), { metrics: ['acc', 'loss'], params: ['lr', 'opt'] });
  });

  it('sorts 20,000 runs by a metric in well under a second', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => run(`r${i}`, { metrics: { loss: Math.sin(i) }, params: { lr: String(i % 7) } }));
    const t = Date.now();
    const sorted = sortRuns(filterRuns(many, [{ kind: 'param', key: 'lr', op: '<', value: '5' }]), { by: 'metric:loss', descending: false });
    assert.ok(Date.now() - t < 1000);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1].metrics.loss.value <= sorted[i].metrics.loss.value);
  });
});

describe('Server polling with backoff', () => {
  it('doubles the wait after each failure, up to the ceiling', () => {
    assert.deepEqual([0, 1, 2, 3, 10, 100].map((f) => nextDelay(1000, f, 60_000)), [1000, 2000, 4000, 8000, 60_000, 60_000]);
  });

  it('polls only while active, backs off on failures and resets after a success', async () => {
    const times: number[] = [];
    const results = [false, false, true, true];
    let resolveDone: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const p = new Poller({
      intervalMs: () => 20,
      maxMs: 1000,
      tick: async () => {
        times.push(Date.now());
        if (times.length === results.length) resolveDone();
        return results[times.length - 1] ?? true;
      },
    });
    p.setActive(true);
    await done;
    p.setActive(false);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps[0] >= 35, `after one failure about 40 ms: ${gaps}`);
    assert.ok(gaps[1] >= 75, `after two failures about 80 ms: ${gaps}`);
    assert.ok(gaps[2] < gaps[1], `a success resets: ${gaps}`);
    assert.equal(p.failures, 0);
    const count = times.length;
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(times.length, count, 'paused while inactive');
    p.dispose();
  });
});

describe('Runs view search filter (MLflow syntax)', () => {
  const runs = [run('a', { metrics: { acc: 0.95 }, params: { opt: 'adam' } }), run('b', { metrics: { acc: 0.5 }, params: { opt: 'sgd' }, status: 'FAILED' }), run('c')];

  it('keeps the filter text in the stored state, trimmed; an empty or non-text one is none', () => {
    assert.equal(normalizeViewState({ search: "  params.opt = 'adam' " }).search, "params.opt = 'adam'");
    assert.equal('search' in normalizeViewState({ search: '   ' }), false);
    assert.equal('search' in normalizeViewState({ search: 3 }), false);
  });

  it('lets through the runs matching every clause; none or an unparsable text lets all through', () => {
    assert.deepEqual(searchRuns(runs, "metrics.acc > 0.9 and params.opt = 'adam'").map((r) => r.id), ['a']);
    assert.deepEqual(searchRuns(runs, "attributes.status = 'FAILED'").map((r) => r.id), ['b']);
    assert.deepEqual(searchRuns(runs, 'metrics.acc != 1').map((r) => r.id), ['a', 'b']);
    assert.deepEqual(searchRuns(runs, undefined).map((r) => r.id), ['a', 'b', 'c']);
    assert.deepEqual(searchRuns(runs, 'metrics.acc >').map((r) => r.id), ['a', 'b', 'c']);
  });

  it('says what is wrong and at which column, for the input box', () => {
    assert.equal(searchInputProblem(''), undefined);
    assert.equal(searchInputProblem("params.opt = 'adam'"), undefined);
    assert.match(searchInputProblem('metrics.acc > 1 or params.x = "y"')!, /column 17/);
    assert.match(searchInputProblem('params.x = 3')!, /quoted string.*column 12/);
  });

  it('shows the filter in the view description, before picked conditions', () => {
    assert.equal(describeViewState({ ...DEFAULT_VIEW_STATE, search: 'metrics.acc > 0.9' }), 'filter: metrics.acc > 0.9');
    assert.equal(
      describeViewState({ ...DEFAULT_VIEW_STATE, search: 'metrics.acc > 0.9', filters: [{ kind: 'status', statuses: ['FINISHED'] }] }),
      'filter: metrics.acc > 0.9 · and status finished',
    );
  });
});
