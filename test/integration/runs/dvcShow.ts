// `dvc exp show --json` as the reference for our DVC experiments listing: every row dvc
// prints (workspace, baselines, and each experiment with its executor state) is compared
// with ours field by field — status, name, baseline, params, metrics and time — and we
// list nothing more.
import { strict as assert } from 'node:assert';
import type { RunListing, RunStatus, RunSummary } from '../../../src/core/runs/types';

export interface ShownRev {
  rev: string;
  name: string | null;
  error?: { msg: string } | null;
  data: { timestamp: string | null; params: Record<string, { data?: unknown }>; metrics: Record<string, { data?: unknown }> } | null;
}
export interface ShownExp {
  name: string;
  executor: { state: string; name: string | null } | null;
  revs: ShownRev[];
}
export interface Shown extends ShownRev {
  experiments: ShownExp[] | null;
}

/** Nested values flattened the way our listing names them: params with '.', metrics with '/'. */
function flat(obj: unknown, sep: string, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries((obj ?? {}) as Record<string, unknown>)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) flat(v, sep, `${prefix}${k}${sep}`, out);
    else out[prefix + k] = v;
  }
  return out;
}

export function expectedParams(rev: ShownRev): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of Object.values(rev.data?.params ?? {})) {
    for (const [k, v] of Object.entries(flat(file.data, '.'))) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** Metrics by name; DVCLive's top-level `step` is the step of the others, not a metric, in our listing. */
export function expectedMetrics(rev: ShownRev): Record<string, number> {
  const out: Record<string, number> = {};
  for (const file of Object.values(rev.data?.metrics ?? {})) {
    for (const [k, v] of Object.entries(flat(file.data, '/'))) if (k !== 'step' && typeof v === 'number') out[k] = v;
  }
  return out;
}

/** dvc prints commit times as naive local time (datetime.fromtimestamp). */
export function localIso(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export const metricValues = (r: RunSummary) => Object.fromEntries(Object.entries(r.metrics).map(([k, p]) => [k, p.value]));

/** Our status for dvc's executor state (no executor: a finished experiment from its ref). */
const STATUS: Record<string, RunStatus> = { success: 'FINISHED', queued: 'SCHEDULED', failed: 'FAILED', running: 'RUNNING' };

/**
 * Asserts that `listing` has exactly the rows `shown` has, each equal in every field dvc
 * prints. dvc lists a run in the workspace twice (the workspace row and an experiment
 * row of executor `workspace` showing the same files); ours folds it into the workspace
 * row. Returns the states dvc showed, by name, so that a test can tell it saw them.
 */
export function assertSameAsDvcShow(shown: Shown[], listing: RunListing): Map<string, string> {
  const byId = new Map(listing.runs.map((r) => [r.id, r]));
  const states = new Map<string, string>();
  const [workspace, ...baselines] = shown;
  assert.equal(workspace.rev, 'workspace');
  const ws = byId.get('workspace')!;
  assert.deepEqual(ws.params, expectedParams(workspace), 'params of the workspace');
  assert.deepEqual(metricValues(ws), expectedMetrics(workspace), 'metrics of the workspace');
  assert.equal(ws.experimentId, baselines[0]?.rev ?? 'workspace');
  let rows = 1;
  let workspaceRunning = false;
  for (const baseline of baselines) {
    const base = byId.get(baseline.rev);
    assert.ok(base, `baseline ${baseline.rev} is listed`);
    rows++;
    assert.equal(base.name, baseline.name);
    assert.equal(base.status, 'FINISHED');
    assert.equal(base.tags['dvc.kind'], 'baseline');
    assert.deepEqual(base.params, expectedParams(baseline), `params of baseline ${baseline.name}`);
    assert.deepEqual(metricValues(base), expectedMetrics(baseline), `metrics of baseline ${baseline.name}`);
    assert.equal(localIso(base.startTime!), baseline.data!.timestamp);
    for (const e of baseline.experiments ?? []) {
      const state = e.executor?.state ?? 'success';
      states.set(e.name, state);
      if (e.executor?.name === 'workspace') {
        workspaceRunning = true;
        assert.equal(ws.status, 'RUNNING', 'the workspace runs an experiment');
        assert.equal(ws.name, `workspace (${e.name})`);
        continue;
      }
      // DVC 3 has no checkpoints: one revision per experiment.
      assert.equal(e.revs.length, 1);
      const rev = e.revs[0];
      const ours = byId.get(rev.rev);
      assert.ok(ours, `experiment ${e.name} (${rev.rev}, ${state}) is listed`);
      rows++;
      const what = `${e.name} (${state})`;
      assert.equal(ours.name, e.name, `name of ${what}`);
      assert.equal(ours.experimentId, baseline.rev, `baseline of ${what}`);
      assert.equal(ours.status, STATUS[state], `status of ${what}`);
      assert.deepEqual(ours.params, expectedParams(rev), `params of ${what}`);
      assert.deepEqual(metricValues(ours), expectedMetrics(rev), `metrics of ${what}`);
      // A run in progress has no time in dvc's output (it reads the run's checkout); ours keeps when it was queued.
      if (rev.data?.timestamp) assert.equal(localIso(ours.startTime!), rev.data.timestamp, `time of ${what}`);
      // dvc refused the revision (its pipeline does not load): an error instead of its data; ours warns, naming it.
      else if (rev.error) assert.ok(listing.warnings.some((w) => w.message.includes(e.name)), `a warning names ${what}: ${rev.error.msg}`);
      else assert.equal(state, 'running', `only a running experiment has no time (${what})`);
    }
  }
  if (!workspaceRunning) assert.notEqual(ws.status, 'RUNNING');
  assert.deepEqual(new Set(listing.experiments.map((e) => e.id)), new Set(baselines.map((b) => b.rev)));
  assert.equal(listing.runs.length, rows, `nothing more than dvc shows: ${listing.runs.map((r) => `${r.name} ${r.status}`).join(', ')}`);
  return states;
}

/**
 * `dvc exp show --json` while a queue worker sets a run up can fail on its own: the run's
 * .run file is read as it is replaced, or its checkout under .dvc/tmp/exps is not there yet.
 * Those failures give undefined (ask again); any other is thrown.
 */
export function showWhileStarting(show: () => Shown[]): Shown[] | undefined {
  try {
    return show();
  } catch (e) {
    const text = String((e as { stderr?: unknown }).stderr ?? e);
    if (/No such file or directory: .*\.run'|directory '[^']*\/\.dvc\/tmp\/exps\/[^']*' does not exist/.test(text)) return undefined;
    throw e;
  }
}
