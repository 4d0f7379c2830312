// The keys decoded once per store (textInterner.ts): the same text as decoding each row,
// the same string object for the same bytes, and no confusion between keys that share a
// hash bucket, a prefix or a length.
import { strict as assert } from 'node:assert';
import { RecordView } from '../../../src/core/runs/mlflow/sqliteRecord';
import { TextInterner } from '../../../src/core/runs/mlflow/textInterner';

/** An SQLite record of one text column (serial type 13 + 2n), in a Buffer as pages are. */
function record(text: string): RecordView {
  const bytes = Buffer.from(text, 'utf8');
  const type = 13 + 2 * bytes.length;
  // A two-byte varint for the serial type once it passes 127.
  const header = type < 128 ? [2, type] : [3, 0x80 | (type >> 7), type & 0x7f];
  const b = Buffer.concat([Buffer.from(header), bytes]);
  return new RecordView().load(b, 0, b.length);
}

describe('TextInterner', () => {
  it('answers what decoding answers, one string per distinct text', () => {
    const keys = new TextInterner();
    const texts = ['param_0', 'param_1', 'param_10', 'metric_0', 'mlflow.runName', 'größe', '', 'x'.repeat(200), 'x'.repeat(201)];
    const first = texts.map((t) => keys.text(record(t), 0));
    assert.deepEqual(first, texts);
    for (const [i, t] of texts.entries()) {
      const again = keys.text(record(t), 0);
      assert.equal(again, t);
      assert.equal(again, first[i]);
    }
  });

  it('decodes texts past its caps each time, still right', () => {
    const keys = new TextInterner();
    const long = 'k'.repeat(300);
    assert.equal(keys.text(record(long), 0), long);
    for (let i = 0; i < 5000; i++) assert.equal(keys.text(record(`key_${i}`), 0), `key_${i}`);
    assert.equal(keys.text(record('key_4999'), 0), 'key_4999');
  });
});
