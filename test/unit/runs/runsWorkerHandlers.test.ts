// What the run-store worker does with its readers between calls, without a thread: the
// handlers over a factory of recording sources.
import { strict as assert } from 'node:assert';
import { runsWorkerHandlers, type StoreRef } from '../../../src/core/runs/isolated/runsWorkerHandlers';
import { decodePoints } from '../../../src/core/runs/isolated/pointsCodec';
import type { MetricPoint, RunListing } from '../../../src/core/runs/types';

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
    const changed = (await h.list({ ...ref, have: full.token })) as RunListing & { token: number };
    assert.ok(Array.isArray(changed.runs), 'new objects from the reader: in full');
  });
});
