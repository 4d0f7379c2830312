import { strict as assert } from 'node:assert';
import { parseHostToTable, parseTableToHost } from '../../../src/protocol/experimentsTable';

const column = { id: 'metric:acc', label: 'acc', kind: 'metric', numeric: true, width: 120, pinned: false };
const rows = { type: 'rows', columns: [column], rows: [{ key: 's\nr', kind: 'run', cells: ['0.9'], status: 'FINISHED' }], total: 1, matched: 1, sort: [{ column: 'metric:acc', desc: true }], groupBy: null, choices: [{ id: 'metric:acc', label: 'acc', kind: 'metric', shown: true, pinned: false }], minMax: [], problems: [] };

describe('experiments table messages are checked on arrival', () => {
  it('accepts the rows, a group row with its aggregates, and a search error with its column', () => {
    assert.ok(parseHostToTable(rows));
    assert.ok(parseHostToTable({ ...rows, groupBy: 'param:lr', rows: [{ key: 'v:0.1', kind: 'group', cells: ['0.8 ± 0.1'], titles: ['count 2'], count: 2, collapsed: false }] }));
    assert.ok(parseHostToTable({ type: 'search', text: 'metrics.acc >', error: { message: 'expected a number at column 14', column: 14 } }));
    assert.ok(parseHostToTable({ type: 'search', text: '', error: null }));
    assert.ok(parseHostToTable({ ...rows, loadingMore: true }));
  });

  it('refuses a row whose cells do not match the columns, a bad sort key, a negative count', () => {
    assert.equal(parseHostToTable({ ...rows, rows: [{ key: 'k', kind: 'run', cells: ['a', 'b'] }] }), undefined);
    assert.equal(parseHostToTable({ ...rows, rows: [{ key: 'k', kind: 'run', cells: [1] }] }), undefined);
    assert.equal(parseHostToTable({ ...rows, rows: [{ key: 'k', kind: 'nested', cells: ['a'] }] }), undefined);
    assert.equal(parseHostToTable({ ...rows, sort: [{ column: 'x', desc: 'yes' }] }), undefined);
    assert.equal(parseHostToTable({ ...rows, total: -1 }), undefined);
    assert.equal(parseHostToTable({ ...rows, groupBy: undefined }), undefined);
    assert.equal(parseHostToTable({ ...rows, loadingMore: 'yes' }), undefined);
    assert.equal(parseHostToTable({ type: 'search', text: 'x', error: { message: 'm', column: 1.5 } }), undefined);
  });

  it('checks what the webview asks for', () => {
    assert.ok(parseTableToHost({ type: 'ready' }));
    assert.ok(parseTableToHost({ type: 'sortClick', column: 'param:lr', additive: true }));
    assert.ok(parseTableToHost({ type: 'move', column: 'param:lr', before: null }));
    assert.ok(parseTableToHost({ type: 'open', action: 'compare', keys: ['s\na', 's\nb'] }));
    assert.ok(parseTableToHost({ type: 'export', format: 'markdown' }));
    assert.ok(parseTableToHost({ type: 'probeReply', id: 1, data: { rows: 3, domRows: 3, drawn: ['a'], columns: ['attr:name'], selected: [], searchError: null } }));
    assert.equal(parseTableToHost({ type: 'open', action: 'delete', keys: [] }), undefined);
    assert.equal(parseTableToHost({ type: 'export', format: 'xlsx' }), undefined);
    assert.equal(parseTableToHost({ type: 'resize', column: 'x', width: Infinity }), undefined);
    assert.equal(parseTableToHost({ type: 'search', text: 'x'.repeat(70_000) }), undefined);
    assert.equal(parseTableToHost({ type: 'copy', text: 'x'.repeat(2_000_000) }), undefined);
    assert.equal(parseTableToHost({ type: 'groupBy' }), undefined);
    assert.equal(parseTableToHost({ type: 'nope' }), undefined);
    assert.equal(parseTableToHost(null), undefined);
  });
});
