import { strict as assert } from 'node:assert';
import { searchRuns } from '../../../src/extension/runs/runsQuery';
import { localMarkKey, localTrackingUri, markTags, mlflowMark, mlflowTagArgv, noteChange, NOTE_TAG, STAR_TAG, starChange, updateLocalMarks } from '../../../src/core/runs/runMarks';

describe('run star and note', () => {
  it('reads MLflow’s tags: only "true" stars; an empty note is none', () => {
    assert.deepEqual(mlflowMark({ tags: { [STAR_TAG]: 'true', [NOTE_TAG]: 'n' } }), { starred: true, note: 'n' });
    assert.deepEqual(mlflowMark({ tags: { [STAR_TAG]: 'True', [NOTE_TAG]: '' } }), { starred: false, note: undefined });
  });

  it('turns star, unstar and notes into tag sets and deletes (a blank note deletes)', () => {
    assert.deepEqual(starChange(true), { key: 'mlops.starred', value: 'true' });
    assert.deepEqual(starChange(false), { key: 'mlops.starred' });
    assert.deepEqual(noteChange(' x '), { key: 'mlflow.note.content', value: ' x ' });
    assert.deepEqual(noteChange(' \n '), { key: 'mlflow.note.content' });
  });

  it('passes the note to MLflow’s client as one argv element, never through a shell', () => {
    const note = `"; rm -rf / #\n$(id) 'x'`;
    const argv = mlflowTagArgv('/v/bin/python', 'sqlite:////p/mlflow.db', 'abc', [starChange(true), noteChange(note), starChange(false)]);
    assert.equal(argv[0], '/v/bin/python');
    assert.equal(argv[1], '-c');
    assert.deepEqual(argv.slice(3), ['sqlite:////p/mlflow.db', 'abc', 'set', STAR_TAG, 'true', 'set', NOTE_TAG, note, 'del', STAR_TAG]);
  });

  it('names local stores as MLflow’s client opens them', () => {
    assert.equal(localTrackingUri('mlflow-sqlite', '/w/mlflow.db'), 'sqlite:////w/mlflow.db');
    assert.equal(localTrackingUri('mlflow-file', '/w/mlruns'), 'file:///w/mlruns');
    assert.equal(localTrackingUri('mlflow-file', 'C:\\w\\mlruns'), 'file:///C:/w/mlruns');
  });

  it('keeps workspace marks of stores without tags, dropping runs with neither star nor note', () => {
    const k = localMarkKey('dvc-experiments:/w', 'exp-1');
    let m = updateLocalMarks({}, k, { starred: true });
    assert.deepEqual(m, { [k]: { starred: true } });
    m = updateLocalMarks(m, k, { note: 'seed 3 is best' });
    assert.deepEqual(m[k], { starred: true, note: 'seed 3 is best' });
    m = updateLocalMarks(m, k, { starred: false });
    assert.deepEqual(m[k], { starred: false, note: 'seed 3 is best' });
    m = updateLocalMarks(m, k, { note: '  ' });
    assert.deepEqual(m, {});
  });
});

describe('run marks in searches of stores without tags', () => {
  it('turn into the tags an MLflow run would carry', () => {
    assert.equal(markTags({ starred: false }), undefined);
    assert.deepEqual(markTags({ starred: true }), { [STAR_TAG]: 'true' });
    assert.deepEqual(markTags({ starred: false, note: 'n' }), { [NOTE_TAG]: 'n' });
  });

  it("let tags.mlops.starred = 'true' find a starred DVC run", () => {
    const run = (id: string) => ({ id, experimentId: 'e', name: id, status: 'FINISHED' as const, params: {}, tags: {}, metrics: {} });
    const starred = new Set(['b']);
    const found = searchRuns([run('a'), run('b')], "tags.mlops.starred = 'true'", (r) => markTags({ starred: starred.has(r.id) }));
    assert.deepEqual(found.map((r) => r.id), ['b']);
  });
});
