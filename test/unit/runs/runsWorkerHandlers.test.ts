// What the run-store worker does with its readers between calls, without a thread: the
// handlers over a factory of recording sources.
import { strict as assert } from 'node:assert';
import { runsWorkerHandlers, type StoreRef } from '../../../src/core/runs/isolated/runsWorkerHandlers';
import { decodePoints } from '../../../src/core/runs/isolated/pointsCodec';
import type { IsolatedWorker } from '../../../src/core/common/isolatedWorker';
import { IsolatedRunSource } from '../../../src/core/runs/isolated/isolatedRunSource';
import type { MetricPoint, RunListing, RunSummary } from '../../../src/core/runs/types';

function recordingFactory() {
  const calls: string[] = [];
  let made = 0;
  const create = (kind: string, location: string) => {
    const n = ++made;
    let listed = false;
    calls.push(`create ${kind} ${location} #${n}`);
    return {
      kind,
      location,
      list: async (): Promise<RunListing> => {
        calls.push(`list #${n}`);
        listed = true;
        return { experiments: [], runs: [], warnings: [] };
      },
      // Like DvcExperimentsSource: histories only for runs a listing found.
      metricHistory: async (): Promise<MetricPoint[]> => (listed ? [{ step: 1, timestamp: 2, value: NaN }] : []),
      dispose: () => calls.push(`dispose #${n}`),
    };
  };
  return { calls, create };
}

describe('run-store worker handlers', () => {
  const ref: StoreRef = { key: 'dvc-experiments:/p#1', kind: 'dvc-experiments', location: '/p' };
  type Handler = (p: unknown) => Promise<unknown> | unknown;

  it('keeps one reader per key between calls and drops it on request', async () => {
    const f = recordingFactory();
    const h = runsWorkerHandlers(f.create, {}) as Record<string, Handler>;
    await h.list(ref);
    await h.list(ref);
    await h.drop({ key: ref.key });
    await h.list(ref);
    assert.deepEqual(f.calls, ['create dvc-experiments /p #1', 'list #1', 'list #1', 'dispose #1', 'create dvc-experiments /p #2', 'list #2']);
  });

  it('lists a store first when a fresh worker is asked for a history (after a death or an idle stop)', async () => {
    const f = recordingFactory();
    const h = runsWorkerHandlers(f.create, {}) as Record<string, Handler>;
    const answer = (await h.history({ ...ref, runId: 'exp1', metric: 'loss' })) as { value: Float64Array };
    assert.deepEqual(f.calls, ['create dvc-experiments /p #1', 'list #1']);
    const points = decodePoints(answer.value);
    assert.equal(points.length, 1);
    assert.deepEqual([points[0].step, points[0].timestamp], [1, 2]);
    assert.ok(Number.isNaN(points[0].value), 'NaN survives the Float64Array');
  });

  it('answers only a token when the reader gave the same listing the host holds, in full otherwise', async () => {
    let listing: RunListing = { experiments: [], runs: [], warnings: [] };
    const create = (kind: string, location: string) => ({ kind, location, list: async () => listing, metricHistory: async () => [] });
    const h = runsWorkerHandlers(create, {}) as Record<string, Handler>;
    const first = (await h.list(ref)) as RunListing & { token: number };
    assert.equal(typeof first.token, 'number');
    assert.deepEqual(await h.list({ ...ref, have: first.token }), { unchanged: first.token, warnings: [] });
    // A host that holds another token (a reply it never got) gets the listing in full.
    const full = (await h.list({ ...ref, have: first.token + 1 })) as RunListing & { token: number };
    assert.ok(Array.isArray(full.runs));
    assert.notEqual(full.token, first.token);
    listing = { experiments: [], runs: [], warnings: [] };
    const next = (await h.list({ ...ref, have: full.token })) as { base?: number };
    assert.equal(next.base, full.token, 'new objects from the reader: what changed since the held listing');
  });

  it('sends what changed since the held listing, and the host rebuilds the same listing from it', async () => {
    const run = (id: string, loss: number, extra: Record<string, string> = {}): RunSummary => ({
      id,
      experimentId: '0',
      name: `run ${id}`,
      status: 'RUNNING',
      startTime: 1,
      params: { lr: '0.1', ...extra },
      tags: { 'mlflow.runName': `run ${id}` },
      metrics: { loss: { step: 1, timestamp: 2, value: loss }, nan: { step: 0, timestamp: 0, value: NaN } },
    });
    const runs = Array.from({ length: 10 }, (_, i) => run(`r${i}`, i));
    let listing: RunListing = { experiments: [{ id: '0', name: 'Default' }], runs, warnings: [] };
    const create = (kind: string, location: string) => ({ kind, location, list: async () => structuredClone(listing), metricHistory: async () => [] });
    const h = runsWorkerHandlers(create, {}) as Record<string, Handler>;
    const replies: unknown[] = [];
    // The host side as the extension has it, its calls going to the handlers through a structured clone.
    const call = async (method: string, params: unknown) => {
      const reply = structuredClone(await h[method](params));
      replies.push(reply);
      return reply;
    };
    const host = new IsolatedRunSource(ref.kind, ref.location, { call } as unknown as IsolatedWorker);
    assert.deepEqual(await host.list(), listing);
    // One run logs a metric, one run is new, one is gone, and the order changes.
    const next = [run('r9', 9), run('new', 0), ...runs.slice(1, 8)];
    next[3] = run('r2', 0.5);
    listing = { ...listing, runs: next };
    const rebuilt = await host.list();
    assert.deepEqual(rebuilt, listing);
    const reply = replies.at(-1) as { delta?: { changed: RunSummary[] } };
    assert.deepEqual(reply.delta?.changed.map((r) => r.id), ['new', 'r2'], 'only the changed and the new run cross');
    // A NaN metric is unchanged, and a run whose params differ is sent.
    listing = { ...listing, runs: listing.runs.map((r) => (r.id === 'r5' ? run('r5', 5, { seed: '1' }) : r)) };
    assert.deepEqual(await host.list(), listing);
    assert.deepEqual((replies.at(-1) as { delta?: { changed: RunSummary[] } }).delta?.changed.map((r) => r.id), ['r5']);
    // Nothing changed: a token only.
    assert.deepEqual(await host.list(), listing);
    assert.ok('delta' in (replies.at(-1) as object) && (replies.at(-1) as { delta: { changed: unknown[] } }).delta.changed.length === 0);
  });
});
