// Compares a RunSource with what MLflow's own client reports for the same store.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { RunSource } from '../../../src/core/runs/types';

type Num = number | 'nan' | 'inf' | '-inf';
export interface ReferenceRun {
  id: string;
  experimentId: string;
  name: string;
  status: string;
  startTime: number;
  endTime: number | null;
  /** MLflow sources only (what attributes.user_id compares). */
  userId?: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, Num>;
  history: Record<string, [number, number, Num][]>;
}
export interface Reference {
  experiments: { id: string; name: string }[];
  runs: ReferenceRun[];
}

const peer = path.join(__dirname, 'peers', 'mlflow_peer.py');
// MLflow's telemetry thread edits os.environ while requests iterates it (a KeyError
// over HTTP now and then); the tests have no use for it.
export const mlflowEnv = { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' };
const env = mlflowEnv;

export function mlflowWrite(python: string, uri: string, runs = 6): void {
  execFileSync(python, [peer, 'write', uri, String(runs)], { env, stdio: 'pipe' });
}

export function mlflowRead(python: string, uri: string): Reference {
  return JSON.parse(execFileSync(python, [peer, 'read', uri], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 }));
}

const dec = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

export async function assertSameAsMlflow(source: RunSource, ref: Reference): Promise<void> {
  const listing = await source.list();
  assert.deepEqual(listing.warnings, []);
  assert.deepEqual(
    listing.experiments.map((e) => [e.id, e.name]).sort(),
    ref.experiments.map((e) => [e.id, e.name]).sort(),
  );
  assert.deepEqual(listing.runs.map((r) => r.id).sort(), ref.runs.map((r) => r.id).sort(), 'the same runs (deleted ones hidden)');
  for (const want of ref.runs) {
    const got = listing.runs.find((r) => r.id === want.id)!;
    assert.equal(got.experimentId, want.experimentId);
    assert.equal(got.name, want.name);
    assert.equal(got.status, want.status, `${want.name} status`);
    assert.equal(got.startTime, want.startTime);
    assert.equal(got.endTime ?? null, want.endTime);
    assert.equal(got.userId ?? '', want.userId ?? '', `${want.name} user_id`);
    assert.deepEqual(got.params, want.params, `${want.name} params`);
    assert.deepEqual(got.tags, want.tags, `${want.name} tags`);
    assert.deepEqual(Object.keys(got.metrics).sort(), Object.keys(want.metrics).sort());
    for (const [k, v] of Object.entries(want.metrics)) assert.ok(Object.is(got.metrics[k].value, dec(v)), `${want.name} ${k}: ${got.metrics[k].value} vs ${v}`);
    for (const [k, points] of Object.entries(want.history)) {
      const h = await source.metricHistory(want.id, k);
      const sortKey = (p: [number, number, number]) => `${p[0]}|${p[1]}|${p[2]}`;
      const mine = h.map((p) => [p.step, p.timestamp, p.value] as [number, number, number]).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      const theirs = points.map(([s, t, v]) => [s, t, dec(v)] as [number, number, number]).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      assert.deepEqual(mine, theirs, `${want.name} history of ${k}`);
    }
  }
}
