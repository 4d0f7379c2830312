import { strict as assert } from 'node:assert';
import { parseYaml } from '../../src/core/pipelines/yamlDocument';
import { validatePipelineFile, pipelineFileKind } from '../../src/core/pipelines/languageService';

describe('parseYaml diagnostics', () => {
  it('reports nothing for valid YAML', () => {
    assert.deepEqual(parseYaml('stages:\n  train:\n    cmd: python train.py\n').diagnostics, []);
  });

  it('points a bad indentation error at the offending line', () => {
    const text = 'stages:\n  train:\n    cmd: python train.py\n   deps: [a]\n';
    const [d, ...rest] = parseYaml(text).diagnostics;
    assert.ok(d, 'expected a diagnostic');
    assert.equal(d.severity, 'error');
    assert.equal(d.code, 'yaml-syntax');
    assert.equal(d.range.start.line, 3, JSON.stringify(d));
    assert.ok(rest.every((r) => r.range.start.line >= 3));
  });

  it('points an unclosed flow sequence at the file position where YAML gave up', () => {
    const text = 'stages:\n  train:\n    deps: [a, b\n';
    const diags = parseYaml(text).diagnostics;
    assert.ok(diags.length > 0);
    // The range must lie inside the text and be at or after the opening bracket.
    const bracketLine = 2;
    for (const d of diags) {
      assert.ok(d.range.start.line >= bracketLine && d.range.end.line <= 3, JSON.stringify(d.range));
    }
  });

  it('marks a duplicate key exactly on the second key', () => {
    const text = 'stages:\n  train:\n    cmd: a\n  train:\n    cmd: b\n';
    const d = parseYaml(text).diagnostics.find((x) => x.code === 'yaml-duplicate-key');
    assert.ok(d, 'expected a duplicate-key diagnostic');
    assert.deepEqual(d.range, { start: { line: 3, character: 2 }, end: { line: 3, character: 7 } });
  });

  it('gives an unterminated quoted string a visible, in-bounds range', () => {
    const text = 'stages:\n  train:\n    cmd: "python train.py\n';
    const diags = parseYaml(text).diagnostics;
    assert.ok(diags.length > 0);
    for (const d of diags) {
      const width = d.range.end.line > d.range.start.line || d.range.end.character > d.range.start.character;
      assert.ok(width, `zero-width range ${JSON.stringify(d.range)}`);
      assert.ok(d.range.end.line <= 3);
    }
  });

  it('never throws, whatever the input', () => {
    const samples = ['', ':', '- - -', '{', '[', '"', "'", '\t\tx: y', 'a: b: c', '&a *a', '!!binary x', '? ? ?', '%YAML 9.9\n---'];
    for (const s of samples) assert.doesNotThrow(() => parseYaml(s), s);
  });
});

describe('validatePipelineFile', () => {
  it('knows pipeline files by base name, on both path styles', () => {
    assert.equal(pipelineFileKind('file:///w/proj/dvc.yaml'), 'dvc.yaml');
    assert.equal(pipelineFileKind('C:\\proj\\MLproject'), 'MLproject');
    assert.equal(pipelineFileKind('/w/proj/params.yaml'), undefined);
  });

  it('ignores files that are not pipeline files', () => {
    assert.deepEqual(validatePipelineFile('/w/params.yaml', 'a: [\n'), []);
  });

  it('validates MLproject as YAML', () => {
    assert.ok(validatePipelineFile('/w/MLproject', 'name: x\nentry_points:\n  main:\n command: a\n  b: [\n').length > 0);
  });
});
