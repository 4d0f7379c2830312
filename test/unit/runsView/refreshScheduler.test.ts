import { strict as assert } from 'node:assert';
import {
  describeRefresh,
  hasRunningLocalRun,
  RefreshScheduler,
  type RefreshBatch,
  type RefreshRequest,
} from '../../../src/extension/runs/refreshScheduler';
import { FakeTimers, settle } from './fakeTimers';

type PollResult = boolean | 'throw';

/** A scheduler on a fake clock, with a stand-in for the tree: each refresh is recorded and, like the tree's listing, reports whether a local run is RUNNING. */
function setup(opts: { serverPollMs?: number; maxServerPollMs?: number; pollResults?: PollResult[]; failRefreshes?: number } = {}) {
  const timers = new FakeTimers();
  const refreshes: { at: number; batch: RefreshBatch }[] = [];
  const polls: number[] = [];
  const logs: string[] = [];
  const world = { running: false, failRefreshes: opts.failRefreshes ?? 0 };
  const results = [...(opts.pollResults ?? [])];
  const scheduler: RefreshScheduler = new RefreshScheduler({
    timers,
    refresh: async (batch) => {
      refreshes.push({ at: timers.now(), batch });
      if (world.failRefreshes-- > 0) throw new Error('store locked');
      scheduler.setLocalRunning(world.running);
    },
    pollServers: async () => {
      polls.push(timers.now());
      const r = results.shift() ?? true;
      if (r === 'throw') throw new Error('ECONNREFUSED');
      return r;
    },
    serverPollMs: () => opts.serverPollMs ?? 1000,
    maxServerPollMs: opts.maxServerPollMs,
    log: (line) => logs.push(line),
  });
  /** A request whose promise is tracked. */
  const ask = (req: RefreshRequest) => {
    const call = { done: false };
    void scheduler.request(req).then(() => (call.done = true));
    return call;
  };
  const at = () => refreshes.map((r) => r.at);
  return { timers, scheduler, refreshes, polls, logs, world, ask, at };
}

const causes = (batch: RefreshBatch) => Object.fromEntries(batch.causes);

describe('Runs view refresh scheduling (fake clock)', () => {
  describe('debounce', () => {
    it('coalesces a burst of file events into one refresh that answers every request', async () => {
      const { timers, refreshes, logs, ask } = setup();
      const calls = [];
      for (let i = 0; i < 5; i++) {
        calls.push(ask({ delayMs: 100, servers: false, cause: 'file event', rediscover: i === 2 }));
        await timers.advance(20);
      }
      // The last request came at 80: the refresh waits its 100 ms from there.
      await timers.advance(79);
      assert.equal(refreshes.length, 0);
      assert.ok(calls.every((c) => !c.done));
      await timers.advance(1);
      assert.equal(refreshes.length, 1);
      assert.equal(refreshes[0].at, 180);
      assert.deepEqual(causes(refreshes[0].batch), { 'file event': 5 });
      assert.equal(refreshes[0].batch.rediscover, true);
      assert.equal(refreshes[0].batch.servers, false);
      await settle();
      assert.ok(calls.every((c) => c.done));
      assert.deepEqual(logs, ['Runs: refresh (file event ×5); searching for stores again']);
      await timers.advance(10_000);
      assert.equal(refreshes.length, 1, 'nothing more without a running run or a request');
    });

    it('runs a pending debounced refresh at once when a command asks, in one batch', async () => {
      const { timers, refreshes, logs, ask } = setup();
      ask({ delayMs: 500, servers: false, cause: 'file event' });
      await timers.advance(100);
      ask({ rediscover: true, cause: 'command' });
      await timers.advance(0);
      assert.deepEqual(
        refreshes.map((r) => [r.at, causes(r.batch), r.batch.servers, r.batch.rediscover]),
        [[100, { 'file event': 1, command: 1 }, true, true]],
      );
      assert.deepEqual(logs, ['Runs: refresh (file event, command); searching for stores again']);
    });

    it('keeps the widest scope of the requests it coalesces, whatever their order', async () => {
      const { timers, refreshes, ask } = setup();
      ask({ delayMs: 300, rediscover: true, cause: 'setting' });
      ask({ delayMs: 300, servers: false, cause: 'file event' });
      await timers.advance(300);
      assert.deepEqual(refreshes.map((r) => [r.batch.rediscover, r.batch.servers]), [[true, true]]);
      ask({ delayMs: 300, servers: false, cause: 'file event' });
      await timers.advance(300);
      assert.deepEqual(refreshes.map((r) => [r.batch.rediscover, r.batch.servers]), [[true, true], [false, false]], 'the next batch starts afresh');
    });

    it('while a change comes every 100 ms, refreshes 300 ms after the first change when listing is quick', async () => {
      const { timers, refreshes, at, ask } = setup();
      // Three seconds of a training run writing its metrics every 100 ms.
      for (let t = 0; t < 3000; t += 100) {
        ask({ delayMs: 200, servers: false, cause: 'file event' });
        await timers.advance(100);
      }
      assert.deepEqual(at(), [300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000]);
      assert.deepEqual(causes(refreshes[1].batch), { 'file event': 3 });
      await timers.advance(5000);
      assert.equal(refreshes.length, 10);
    });

    it('spaces refreshes by twice the last one\'s time while changes keep coming, up to 2 s', async () => {
      const timers = new FakeTimers();
      const starts: number[] = [];
      let took = 400;
      const scheduler = new RefreshScheduler({
        timers,
        // A listing that takes `took` ms of the (fake) clock.
        refresh: () => (starts.push(timers.now()), new Promise<void>((resolve) => timers.setTimeout(resolve, took))),
        pollServers: async () => true,
        serverPollMs: () => 1000,
        log: () => undefined,
      });
      for (let t = 0; t < 6000; t += 100) {
        void scheduler.request({ delayMs: 200, servers: false, cause: 'file event' });
        if (t === 3000) took = 1500;
        await timers.advance(100);
      }
      await timers.advance(5000);
      // 300 ms after the first change (nothing measured yet); the changes during that 400 ms
      // listing wait for it to end (700), never beside it; then 800 ms (2 × 400) after each
      // batch's first change. The listing at 3100 takes 1.5 s: the batch due at 3900 waits for
      // it (4600); the next starts no sooner than 2 s (the ceiling, not 3 s) after that start,
      // though the changes stop at 5900 and its 200 ms debounce ends at 6100: 6600.
      assert.deepEqual(starts, [300, 700, 1500, 2300, 3100, 4600, 6600]);
      scheduler.dispose();
    });

    it('answers its callers even when a refresh fails, and refreshes again on the next request', async () => {
      const { timers, refreshes, logs, ask } = setup({ failRefreshes: 1 });
      const first = ask({ cause: 'command' });
      await timers.advance(0);
      assert.ok(first.done);
      assert.match(logs.join('\n'), /Runs: refresh failed: store locked/);
      ask({ cause: 'api' });
      await timers.advance(0);
      assert.equal(refreshes.length, 2);
    });
  });

  describe('live re-read of local stores', () => {
    it('re-reads every 5 s only while a local run is RUNNING, without the view visible and without polling servers', async () => {
      const { timers, scheduler, refreshes, polls, logs, world, at, ask } = setup();
      world.running = true;
      scheduler.setServerPolling(false); // the view is hidden
      ask({ cause: 'first listing' });
      await timers.advance(4999);
      assert.deepEqual(at(), [0]);
      await timers.advance(1);
      assert.deepEqual(at(), [0, 5000]);
      assert.deepEqual(causes(refreshes[1].batch), { 'live poll': 1 });
      assert.equal(refreshes[1].batch.servers, false, 'a live re-read leaves tracking servers to their polling');
      assert.equal(logs[1], 'Runs: refresh (live poll); local stores only');
      await timers.advance(5000);
      assert.deepEqual(at(), [0, 5000, 10000]);
      // The run finished: the re-read that sees it is the last.
      world.running = false;
      await timers.advance(5000);
      assert.deepEqual(at(), [0, 5000, 10000, 15000]);
      await timers.advance(60_000);
      assert.equal(refreshes.length, 4);
      assert.equal(timers.pending, 0);
      assert.deepEqual(polls, []);
    });

    it('counts the 5 s from the latest listing, so file events that arrive do not double the reads', async () => {
      const { timers, world, at, ask, refreshes } = setup();
      world.running = true;
      ask({ cause: 'command' });
      await timers.advance(3000);
      ask({ delayMs: 200, servers: false, cause: 'file event' });
      // Its listing at 3200 sets the next live re-read to 8200, not 5000.
      await timers.advance(5199);
      assert.deepEqual(at(), [0, 3200]);
      await timers.advance(1);
      assert.deepEqual(at(), [0, 3200, 8200]);
      assert.deepEqual(causes(refreshes[2].batch), { 'live poll': 1 });
    });

    it('counts only local stores: a RUNNING run on a tracking server is followed by polling instead', () => {
      const running = { runs: [{ status: 'FINISHED' }, { status: 'RUNNING' }] };
      const finished = { runs: [{ status: 'FINISHED' }, { status: 'FAILED' }] };
      assert.equal(hasRunningLocalRun([{ spec: { kind: 'mlflow-sqlite' }, listing: finished }, { spec: { kind: 'dvclive' }, listing: running }]), true);
      assert.equal(hasRunningLocalRun([{ spec: { kind: 'mlflow-rest' }, listing: running }]), false);
      assert.equal(hasRunningLocalRun([{ spec: { kind: 'mlflow-file' }, listing: finished }, { spec: { kind: 'tensorboard' } }]), false);
      assert.equal(hasRunningLocalRun([]), false);
    });
  });

  describe('server polling', () => {
    it('polls only while active (a visible view with a server): at once on start, then every interval', async () => {
      const { timers, scheduler, polls, logs, refreshes } = setup({ serverPollMs: 1000 });
      await timers.advance(5000);
      assert.deepEqual(polls, [], 'hidden: no poll');
      scheduler.setServerPolling(true);
      await timers.advance(3000);
      assert.deepEqual(polls, [5000, 6000, 7000, 8000]);
      scheduler.setServerPolling(false);
      await timers.advance(10_000);
      assert.equal(polls.length, 4, 'paused while hidden');
      scheduler.setServerPolling(true);
      await timers.advance(0);
      assert.deepEqual(polls.slice(4), [18000], 'visible again: polls at once');
      assert.equal(logs.filter((l) => l === 'Runs: refresh (server poll)').length, 5);
      assert.equal(refreshes.length, 0, 'a server poll is not a refresh of the local stores');
    });

    it('backs off on server errors, doubling up to the ceiling, and resets after a success', async () => {
      const { timers, scheduler, polls, logs } = setup({ serverPollMs: 1000, maxServerPollMs: 5000, pollResults: [false, 'throw', false, true, true] });
      scheduler.setServerPolling(true);
      await timers.advance(13_000);
      // Waits after 1, 2, 3 failures: 2 s, 4 s, then 8 s capped at 5 s; after a success 1 s again.
      assert.deepEqual(polls, [0, 2000, 6000, 11000, 12000, 13000]);
      assert.equal(scheduler.serverFailures, 0);
      assert.deepEqual(
        logs.filter((l) => l.includes('did not answer')).map((l) => l.match(/\((\d+) polls in a row\)/)?.[1]),
        ['1', '2', '3'],
      );
    });
  });

  describe('dispose', () => {
    it('stops the pending refresh, the live re-read and the server polling, and answers the callers waiting', async () => {
      const { timers, scheduler, world, refreshes, polls, ask } = setup({ serverPollMs: 1000 });
      world.running = true;
      scheduler.setServerPolling(true);
      ask({ cause: 'command' });
      await timers.advance(0);
      assert.equal(refreshes.length, 1);
      assert.equal(polls.length, 1);
      const waiting = ask({ delayMs: 500, servers: false, cause: 'file event' });
      scheduler.dispose();
      await settle();
      assert.ok(waiting.done, 'a caller waiting for the refresh is not left hanging');
      assert.equal(timers.pending, 0);
      const late = ask({ cause: 'command' });
      scheduler.setLocalRunning(true);
      scheduler.setServerPolling(false);
      scheduler.setServerPolling(true);
      await timers.advance(60_000);
      assert.ok(late.done);
      assert.equal(refreshes.length, 1);
      assert.equal(polls.length, 1);
    });
  });

  it('names the causes of a refresh and what it reads in one debug line', () => {
    const line = (causes: [string, number][], rediscover = false, servers = true) =>
      describeRefresh({ rediscover, servers, causes: new Map(causes) as RefreshBatch['causes'] });
    assert.equal(line([['command', 1]], true), 'Runs: refresh (command); searching for stores again');
    assert.equal(line([['file event', 12], ['live poll', 1]], false, false), 'Runs: refresh (file event ×12, live poll); local stores only');
    assert.equal(line([['setting', 2]]), 'Runs: refresh (setting ×2)');
  });
});
