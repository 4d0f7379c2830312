import { strict as assert } from 'node:assert';
import { BACKGROUND_PROBE_MS, IdleProbePlan } from '../../../src/core/hosts/idleProbePlan';
import { IdleStopper, idleSamples, type IdleAction } from '../../../src/core/hosts/idleStop';
import type { GpuInfo } from '../../../src/core/hosts/gpuProbe';

const MIN = 60_000;
const gpu = (index: number, util: number | null): GpuInfo => ({ index, uuid: `GPU-${index}`, name: 'NVIDIA H100', memoryUsedMiB: 0, memoryTotalMiB: 81559, utilizationPct: util, temperatureC: 30 });

describe('hosts: background probes of the idle auto-stop', () => {
  it('watches a host only while it has armed workspaces; probes it once an interval without a snapshot', () => {
    const plan = new IdleProbePlan();
    assert.equal(BACKGROUND_PROBE_MS, MIN);
    plan.seen('gpu1', 0, false);
    assert.equal(plan.size, 0, 'no workspace with a limit: nothing watched, nothing probed');
    plan.seen('gpu1', 0, true);
    assert.deepEqual(plan.due(59_999), []);
    assert.deepEqual(plan.due(MIN), ['gpu1']);
    // One probe out at a time, however many ticks pass.
    assert.deepEqual(plan.due(5 * MIN), []);
    plan.seen('gpu1', MIN + 500, true);
    plan.done('gpu1', MIN + 600);
    assert.deepEqual(plan.due(2 * MIN), []);
    assert.deepEqual(plan.due(2 * MIN + 600), ['gpu1']);
    plan.done('gpu1', 2 * MIN + 700);
    // The view's refresh (visible, every 10 s) keeps the host from ever being due.
    for (let t = 2 * MIN + 700; t < 10 * MIN; t += 10_000) {
      plan.seen('gpu1', t, true);
      assert.deepEqual(plan.due(t + 5000), []);
    }
    // The workspace was stopped (or its limit gone): dropped.
    plan.seen('gpu1', 10 * MIN, false);
    assert.deepEqual(plan.watched(), []);
    assert.deepEqual(plan.due(60 * MIN), []);
  });

  it('a failed listing keeps the host watched and retries an interval later; a host that does not list yet is not added', () => {
    const plan = new IdleProbePlan();
    plan.seen('down', 0, undefined);
    assert.equal(plan.size, 0);
    plan.seen('gpu1', 0, true);
    assert.deepEqual(plan.due(MIN), ['gpu1']);
    plan.seen('gpu1', MIN + 100, undefined);
    plan.done('gpu1', MIN + 100);
    assert.deepEqual(plan.watched(), ['gpu1']);
    assert.deepEqual(plan.due(2 * MIN), []);
    assert.deepEqual(plan.due(2 * MIN + 100), ['gpu1']);
  });

  it('a launch adds its host at once; a host from an earlier window is due at the first tick; a removed host is forgotten', () => {
    const plan = new IdleProbePlan();
    plan.add('gpu1', 1000);
    plan.add('gpu1', 30_000); // a second launch does not push the probe back
    assert.deepEqual(plan.due(MIN), []);
    assert.deepEqual(plan.due(MIN + 1000), ['gpu1']);
    plan.restore('gpu2');
    assert.deepEqual(plan.due(MIN + 1001), ['gpu2']);
    plan.forget('gpu2');
    plan.done('gpu2', MIN + 2000);
    assert.deepEqual(plan.watched(), ['gpu1']);
  });

  it('with the view hidden, one probe a minute warns a minute before a 30 min limit and stops at it; a workspace someone else stopped is forgotten', () => {
    const plan = new IdleProbePlan();
    const stopper = new IdleStopper();
    let running = true;
    let util = 0;
    let probes = 0;
    const list = () => [{ id: 'ws1', state: running ? 'running' : 'exited', labels: { 'mlops.owner': 'me', 'mlops.idleStopMinutes': '30', 'mlops.gpus': 'device=0' } }];
    /** What the watch does with each snapshot: sample, feed the stopper, update the plan. */
    const snapshot = (now: number): IdleAction[] => {
      probes++;
      const samples = idleSamples(list(), { gpus: [gpu(0, util)], processes: [] }, 'me');
      plan.seen('gpu1', now, samples.length > 0);
      return stopper.observe(now, samples);
    };
    plan.add('gpu1', 0);
    const actions: Array<[number, IdleAction['kind']]> = [];
    // A tick every 15 s, as the watch's timer: a probe only when one is due.
    for (let t = 0; t <= 40 * MIN; t += 15_000) {
      if (t === 5 * MIN) util = 80; // busy for a while: the count starts over
      if (t === 6 * MIN) util = 0;
      for (const host of plan.due(t)) {
        for (const a of snapshot(t)) {
          actions.push([t, a.kind]);
          if (a.kind === 'stop') running = false;
        }
        plan.done(host, t);
      }
    }
    // Idle from 6 min (the first probe at or after it), warned at 35, stopped at 36.
    assert.deepEqual(actions, [
      [35 * MIN, 'warn'],
      [36 * MIN, 'stop'],
    ]);
    // One probe a minute (1 to 36 min), one more that finds it stopped and drops the host, none after.
    assert.equal(probes, 37);
    assert.deepEqual(plan.watched(), []);
    assert.equal(stopper.countdown('ws1', 40 * MIN), undefined);

    // Someone else stops it mid-count: forgotten, and the host is not probed again.
    running = true;
    util = 0;
    plan.add('gpu1', 50 * MIN);
    snapshot(51 * MIN);
    assert.equal(stopper.countdown('ws1', 52 * MIN)?.idleMinutes, 1);
    running = false;
    snapshot(52 * MIN);
    assert.equal(stopper.countdown('ws1', 53 * MIN), undefined);
    assert.deepEqual(plan.due(60 * MIN), []);
  });
});
