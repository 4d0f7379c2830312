import { strict as assert } from 'node:assert';
import { DEFAULT_TABLE_STATE, type TableRun } from '../../../src/core/runs/table';
import type { RunSummary } from '../../../src/core/runs/types';
import { rowsMessage } from '../../../src/extension/experiments/tableMessage';
import { parseHostToTable } from '../../../src/protocol/experimentsTable';
import { onHostMessage, restoreTableState, toggleSelected } from '../../../webviews/experiments/state';

function runs(n: number): TableRun[] {
  return Array.from({ length: n }, (_, i) => {
    const run: RunSummary = { id: `r${i}`, experimentId: '1', name: `run-${i}`, status: 'FINISHED', startTime: 1.7e12 + i * 1000, params: { lr: String(i % 4) }, tags: {}, metrics: { acc: { step: 1, timestamp: 1, value: i / n } } };
    return { key: `s\n${run.id}`, run, source: 'MLflow · mlflow.db', experiment: 'bench' };
  });
}

describe('the table rows sent in parts', () => {
  it('gives the same rows in the same order in parts of any size, and the webview puts them back together', () => {
    const all = runs(23);
    const whole = rowsMessage(all, DEFAULT_TABLE_STATE, undefined, 2e12, '(none)');
    assert.equal(whole.message.more, undefined);
    assert.equal([...whole.rest()].length, 0);
    for (const chunk of [1, 5, 22, 23, 100]) {
      const parted = rowsMessage(all, DEFAULT_TABLE_STATE, undefined, 2e12, '(none)', undefined, chunk);
      const parts = [...parted.rest()];
      assert.equal(parted.message.rows.length, Math.min(chunk, 23));
      assert.equal(parts.length, Math.ceil(23 / chunk) - 1, `chunk ${chunk}`);
      assert.deepEqual([...parted.message.rows, ...parts.flatMap((p) => p.rows)], whole.message.rows);
      let s = onHostMessage(restoreTableState(undefined), parseHostToTable(JSON.parse(JSON.stringify(parted.message)))!);
      for (const p of parts) {
        assert.equal(s.pendingRows, p.rows.length + p.more);
        s = onHostMessage(s, parseHostToTable(JSON.parse(JSON.stringify(p)))!);
      }
      assert.equal(s.pendingRows, 0);
      assert.deepEqual(s.rows, JSON.parse(JSON.stringify(whole.message.rows)));
    }
  });

  it('keeps the selection until the last part came, and drops a part that does not follow on', () => {
    const all = runs(10);
    const first = rowsMessage(all, DEFAULT_TABLE_STATE, undefined, 2e12, '(none)');
    let s = onHostMessage(restoreTableState(undefined), first.message);
    s = toggleSelected(s, 9); // the oldest run: in the last part below
    const picked = [...s.selected];
    const parted = rowsMessage(all, DEFAULT_TABLE_STATE, undefined, 2e12, '(none)', undefined, 4);
    const [p1, p2] = [...parted.rest()];
    s = onHostMessage(s, parted.message);
    assert.deepEqual([...s.selected], picked);
    assert.equal(onHostMessage(s, p2), s, 'a part out of order is dropped');
    assert.equal(onHostMessage(s, { ...p1, width: 99 }), s, 'a part of other columns is dropped');
    s = onHostMessage(onHostMessage(s, p1), p2);
    assert.deepEqual([...s.selected], picked);
    assert.equal(s.rows.length, 10);
    // The same table again without that run: once complete, its selection goes.
    const fewer = rowsMessage(all.slice(1), DEFAULT_TABLE_STATE, undefined, 2e12, '(none)', undefined, 4);
    s = onHostMessage(s, fewer.message);
    assert.deepEqual([...s.selected], picked, 'still coming');
    for (const p of fewer.rest()) s = onHostMessage(s, p);
    assert.deepEqual([...s.selected], []);
  });
});
