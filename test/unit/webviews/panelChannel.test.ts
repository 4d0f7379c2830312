import { strict as assert } from 'node:assert';
import { PanelChannel } from '../../../src/extension/webviews/panelChannel';
import { parseMetricsToHost, type HostToMetrics, type MetricsProbe, type MetricsToHost } from '../../../src/protocol/panels';

// The panel host's message half with the real protocol check; `send` stands for the
// webview's postMessage and records what reached it.
function channel(handle: (m: MetricsToHost, post: (m: HostToMetrics) => void) => Promise<void> | void = () => undefined) {
  const sent: HostToMetrics[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const c: PanelChannel<MetricsToHost, HostToMetrics> = new PanelChannel({
    label: 'Metrics panel',
    parse: parseMetricsToHost,
    send: (m) => sent.push(m),
    handle: (m) => handle(m, (x) => c.post(x)),
    log: { warn: (s) => warnings.push(s), error: (s) => errors.push(s) },
  });
  return { c, sent, warnings, errors };
}
const init = (problem: string): HostToMetrics => ({ type: 'init', runs: [], metrics: [], problems: [problem] });

describe('panel channel: ready handshake, queue, checked messages', () => {
  it('queues posts until the webview says ready, then sends them in order before the first state', async () => {
    const { c, sent } = channel((m, post) => {
      if (m.type === 'ready') post(init('state'));
    });
    c.post(init('early 1'));
    c.post(init('early 2'));
    assert.equal(sent.length, 0);
    assert.equal(c.ready, false);
    await c.receive({ type: 'ready', width: 800 });
    assert.deepEqual(
      sent.map((m) => (m.type === 'init' ? m.problems[0] : m.type)),
      ['early 1', 'early 2', 'state'],
    );
    assert.equal(c.ready, true);
    c.post(init('later'));
    assert.equal(sent.length, 4);
  });

  it('whenReady resolves on the ready event (no polling) after the ready work finished', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { c } = channel(async (m) => {
      if (m.type === 'ready') await gate;
    });
    let resolved = false;
    const waiting = c.whenReady(5000).then(() => (resolved = true));
    void c.receive({ type: 'ready', width: 800 });
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false, 'resolved before the ready handler finished');
    release();
    await waiting;
    assert.equal(resolved, true);
  });

  it('whenReady rejects after its timeout and when the panel closes first', async () => {
    const a = channel();
    await assert.rejects(a.c.whenReady(20), /did not start within 20 ms/);
    const b = channel();
    const waiting = b.c.whenReady(5000);
    b.c.close();
    await assert.rejects(waiting, /closed before its webview started/);
  });

  it('rejects malformed messages with a log line and never hands them on', async () => {
    const handled: string[] = [];
    const { c, warnings } = channel((m) => void handled.push(m.type));
    const cyclic: Record<string, unknown> = { type: 'range' };
    cyclic.self = cyclic;
    for (const bad of [null, 42, 'ready', { type: 'ready' }, { type: 'range', metric: 'loss', axis: 'sideways', lo: 1, hi: 2, width: 1 }, cyclic]) await c.receive(bad);
    assert.deepEqual(handled, []);
    assert.equal(warnings.length, 6);
    assert.ok(warnings.every((w) => w.startsWith('Metrics panel: ignored a malformed message') && w.length < 300));
  });

  it('handles messages one at a time in arrival order and logs a failing handler without stopping', async () => {
    const order: string[] = [];
    const { c, errors } = channel(async (m) => {
      if (m.type === 'range' && m.metric === 'slow') await new Promise((r) => setTimeout(r, 20));
      if (m.type === 'range' && m.metric === 'bad') throw new Error('store gone');
      order.push(m.type === 'range' ? m.metric : m.type);
    });
    const range = (metric: string) => ({ type: 'range', metric, axis: 'step', lo: null, hi: null, width: 300 });
    void c.receive(range('slow'));
    void c.receive(range('bad'));
    await c.receive(range('fast'));
    assert.deepEqual(order, ['slow', 'fast']);
    assert.deepEqual(errors, ['Metrics panel: store gone']);
  });

  it('drops posts after close and bounds the queue of a webview that never starts', async () => {
    const { c, sent } = channel();
    for (let i = 0; i < 5000; i++) c.post(init(`p${i}`));
    await c.receive({ type: 'ready', width: 800 });
    assert.equal(sent.length, 1000);
    assert.deepEqual(sent[0], init('p4000'));
    c.close();
    c.post(init('after'));
    assert.equal(sent.length, 1000);
  });
});

describe('panel channel: test-only probes (E2E asks what the webview shows)', () => {
  const probe: MetricsProbe = { charts: [{ metric: 'loss', series: [{ run: 'k', name: 'live', points: 61, lastStep: 60 }] }] };

  /** A channel whose webview answers probes with `answer(id)` (nothing when it returns undefined). */
  function probed(probes: boolean, answer: (id: number) => unknown) {
    const warnings: string[] = [];
    const sent: HostToMetrics[] = [];
    const c: PanelChannel<MetricsToHost, HostToMetrics> = new PanelChannel({
      label: 'Metrics panel',
      parse: parseMetricsToHost,
      send: (m) => {
        sent.push(m);
        const reply = m.type === 'probe' ? answer(m.id) : undefined;
        if (reply !== undefined) setImmediate(() => void c.receive(reply));
      },
      handle: () => undefined,
      log: { warn: (s) => warnings.push(s), error: (s) => warnings.push(s) },
      probes,
    });
    return { c, warnings, sent };
  }

  it("resolves with the webview's reply to its own probe, after the webview started", async () => {
    const { c, sent } = probed(true, (id) => ({ type: 'probeReply', id, data: probe }));
    const answer = c.probe(5000);
    assert.equal(sent.length, 0, 'the probe waits in the queue until the webview listens');
    await c.receive({ type: 'ready', width: 800 });
    assert.deepEqual(await answer, probe);
    assert.deepEqual(await c.probe(5000), probe);
    assert.deepEqual(
      sent.map((m) => (m.type === 'probe' ? m.id : m.type)),
      [1, 2],
    );
  });

  it('is refused outside the E2E runs, and a reply nobody asked for is ignored with a log line', async () => {
    const off = probed(false, (id) => ({ type: 'probeReply', id, data: probe }));
    await off.c.receive({ type: 'ready', width: 800 });
    await assert.rejects(off.c.probe(100), /probes are for the E2E tests only/);
    assert.equal(off.sent.length, 0);
    await off.c.receive({ type: 'probeReply', id: 1, data: probe });
    assert.deepEqual(off.warnings, ['Metrics panel: ignored a probe reply nobody asked for (id 1)']);
  });

  it('rejects a reply of the wrong shape as malformed, times out without an answer, and fails when the panel closes', async () => {
    const wrong = probed(true, (id) => ({ type: 'probeReply', id, data: { charts: [{ metric: 'loss' }] } }));
    await wrong.c.receive({ type: 'ready', width: 800 });
    await assert.rejects(wrong.c.probe(200), /did not answer probe 1 within 200 ms/);
    assert.ok(wrong.warnings[0].startsWith('Metrics panel: ignored a malformed message from the webview'));
    const silent = probed(true, () => undefined);
    await silent.c.receive({ type: 'ready', width: 800 });
    const waiting = silent.c.probe(5000);
    silent.c.close();
    await assert.rejects(waiting, /was closed/);
  });
});
