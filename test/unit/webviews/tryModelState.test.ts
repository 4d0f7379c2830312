import { strict as assert } from 'node:assert';
import { parseHostToTry, parseTryToHost, type TryResult } from '../../../src/protocol/tryModel';
import { edit, initialState, latencyText, onHostMessage, probeOf, restoreState, savedOf, sendMessage, setRepeats } from '../../../webviews/tryModel/state';

const A = { id: 'http://127.0.0.1:5001', label: 'clf v1' };
const B = { id: 'http://127.0.0.1:5002', label: 'clf v2' };
const init = { type: 'init' as const, title: 'clf v1', endpoints: [A, B], selected: A.id, body: '{"inputs": [[1]]}', format: 'json' as const, exampleSource: 'serving example' };

describe('Try Model panel state', () => {
  it('starts from the example, keeps a restored edit over it, and sends to one or two endpoints', () => {
    let s = onHostMessage(initialState(), init);
    assert.equal(s.body, init.body);
    assert.deepEqual(sendMessage(s), { type: 'send', body: init.body, format: 'json', repeats: 20, endpoints: [A.id] });
    s = edit(s, { compare: B.id, body: 'a,b\n1,2\n', format: 'csv' });
    s = setRepeats(s, 5000);
    assert.deepEqual(sendMessage(s), { type: 'send', body: 'a,b\n1,2\n', format: 'csv', repeats: 1000, endpoints: [A.id, B.id] });
    const revived = onHostMessage(restoreState(JSON.parse(JSON.stringify(savedOf(s)))), init);
    assert.equal(revived.body, 'a,b\n1,2\n');
    assert.equal(revived.format, 'csv');
    assert.equal(revived.compare, B.id);
    assert.deepEqual(restoreState({ body: 7, repeats: -3, format: 'xml' }), { ...initialState(), repeats: 1 });
  });

  it('drops a compared endpoint that stopped, and says so when its own stops', () => {
    let s = edit(onHostMessage(initialState(), init), { compare: B.id });
    s = onHostMessage(s, { type: 'endpoints', endpoints: [A] });
    assert.equal(s.compare, '');
    assert.equal(s.problem, '');
    s = onHostMessage(s, { type: 'endpoints', endpoints: [B] });
    assert.match(s.problem, /stopped/);
  });

  it('shows results and latency, and clears a problem on the next send', () => {
    const r: TryResult = { endpoint: A.id, label: 'clf v1', status: 200, ok: true, text: '[0, 1]', latency: { n: 20, p50Ms: 3.14159, p95Ms: 12.5 } };
    let s = onHostMessage(onHostMessage(initialState(), init), { type: 'problem', message: 'Not valid JSON' });
    s = onHostMessage(s, { type: 'sending' });
    assert.equal(s.problem, '');
    assert.equal(s.sending, true);
    s = onHostMessage(s, { type: 'results', results: [r] });
    assert.equal(s.sending, false);
    assert.equal(latencyText(r), 'p50 3.14 ms · p95 12.5 ms (20 requests)');
    assert.deepEqual(probeOf(s).results, [{ label: 'clf v1', status: 200, ok: true, text: '[0, 1]', p50Ms: 3.14159 }]);
  });
});

describe('Try Model protocol', () => {
  it('accepts what each end sends and refuses what it must not', () => {
    assert.deepEqual(parseTryToHost({ type: 'send', body: '{}', format: 'json', repeats: 3, endpoints: [A.id] }), { type: 'send', body: '{}', format: 'json', repeats: 3, endpoints: [A.id] });
    for (const bad of [
      { type: 'send', body: '{}', format: 'xml', repeats: 3, endpoints: [A.id] },
      { type: 'send', body: '{}', format: 'json', repeats: 0, endpoints: [A.id] },
      { type: 'send', body: '{}', format: 'json', repeats: 1.5, endpoints: [A.id] },
      { type: 'send', body: '{}', format: 'json', repeats: 3, endpoints: [] },
      { type: 'send', body: '{}', format: 'json', repeats: 3, endpoints: [A.id, B.id, A.id] },
      { type: 'send', body: 1, format: 'json', repeats: 3, endpoints: [A.id] },
      { type: 'eval' },
      null,
    ])
      assert.equal(parseTryToHost(bad), undefined, JSON.stringify(bad));
    assert.deepEqual(parseHostToTry(init), init);
    assert.equal(parseHostToTry({ ...init, endpoints: [{ id: 1 }] }), undefined);
    assert.equal(parseHostToTry({ type: 'results', results: [{ endpoint: A.id, label: 'x', status: '200', text: '', ok: true }] }), undefined);
  });
});
