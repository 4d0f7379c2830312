import { strict as assert } from 'node:assert';
import { compareSemver, gtoArtifacts, parseForEachRef, parseGtoTag, type TagRecord } from '../../../src/core/models/gtoTags';
import { dvcArtifacts, gtoModels } from '../../../src/core/models/gtoRegistry';
import { parseMlModel, signatureLines } from '../../../src/core/models/mlmodel';

const rec = (tag: string, commit: string, time: number): TagRecord => ({ tag, commit, time, tagger: 't', subject: '' });

describe('GTO tags', () => {
  it('parses registrations, assignments, their cancellations, folder prefixes, and ignores other tags', () => {
    assert.deepEqual(
      ['m@v1.2.3', 'm@v1.2.3!#4', 'm#prod#2', 'm#prod!#3', 'dir/sub=m@v0.0.1-rc.1+b7', 'm@deprecated#9', 'v1.0', 'm@1.0.0', 'm#bad stage#1', '-m@v1.0.0'].map((t) => {
        const e = parseGtoTag(rec(t, 'c', 1));
        return e ? [e.kind, e.artifact, 'version' in e ? e.version : e.stage, e.counter] : undefined;
      }),
      [
        ['register', 'm', 'v1.2.3', 0],
        ['deregister', 'm', 'v1.2.3', 4],
        ['assign', 'm', 'prod', 2],
        ['unassign', 'm', 'prod', 3],
        ['register', 'dir/sub:m', 'v0.0.1-rc.1+b7', 0],
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ],
    );
  });

  it('one for-each-ref listing: annotated tags name their peeled commit, lightweight ones their own', () => {
    const text = ['m@v1.0.0', 'tag', 'aaaa', 'c1', '100', 'Ann', 'Registering'].join('\x00') + '\n' + ['m#prod#1', 'commit', 'c2', '', '200', '', 'msg'].join('\x00') + '\n\nbroken';
    assert.deepEqual(parseForEachRef(text), [
      { tag: 'm@v1.0.0', commit: 'c1', time: 100, tagger: 'Ann', subject: 'Registering' },
      { tag: 'm#prod#1', commit: 'c2', time: 200, tagger: '', subject: 'msg' },
    ]);
  });

  it('the latest assignment of a stage wins; ties in the same second go to the larger counter; unassigned and deregistered drop out', () => {
    const a = gtoArtifacts([
      rec('m@v1.0.0', 'c1', 10),
      rec('m@v2.0.0', 'c2', 20),
      rec('m@v3.0.0', 'c3', 30),
      rec('m#prod#1', 'c2', 40),
      rec('m#prod#2', 'c1', 40), // same second, later counter
      rec('m#dev#3', 'c2', 50),
      rec('m#dev!#4', 'c2', 60),
      rec('m@v3.0.0!#5', 'c3', 70),
      rec('m#qa#6', 'c9', 80), // no version at that commit
    ]).get('m')!;
    assert.deepEqual(a.stages, { prod: 'v1.0.0' });
    assert.deepEqual(a.versions.map((v) => [v.version, v.stages]), [
      ['v2.0.0', []],
      ['v1.0.0', ['prod']],
    ]);
  });

  it('semver precedence: pre-releases before the release, numeric identifiers numerically', () => {
    const sorted = ['v1.0.0', 'v1.0.0-rc.10', 'v1.0.0-rc.2', 'v1.0.0-alpha', 'v0.9.9', 'v1.0.0+build', 'v10.0.0'].sort(compareSemver);
    assert.deepEqual(sorted, ['v0.9.9', 'v1.0.0-alpha', 'v1.0.0-rc.2', 'v1.0.0-rc.10', 'v1.0.0', 'v1.0.0+build', 'v10.0.0']);
  });

  it('dvc.yaml artifacts: models listed, datasets left out, damage is a warning', () => {
    const warnings: string[] = [];
    const declared = dvcArtifacts('artifacts:\n  clf: {path: m.pkl, type: model, labels: [a]}\n  raw: {path: r.csv, type: dataset}\n  odd: 3\n', warnings);
    assert.deepEqual(warnings, ['dvc.yaml: artifact odd is not a mapping; skipped']);
    const models = gtoModels(declared, gtoArtifacts([rec('raw@v1.0.0', 'c', 1), rec('other@v0.1.0', 'c', 1)]));
    assert.deepEqual(models.map((m) => [m.name, m.path, m.tags, m.versions.length]), [
      ['clf', 'm.pkl', { labels: 'a' }, 0],
      ['other', undefined, {}, 1],
    ]);
    const broken: string[] = [];
    assert.deepEqual(dvcArtifacts('artifacts: [unclosed', broken), []);
    assert.equal(broken.length, 1);
  });
});

describe('MLmodel', () => {
  it('reads flavors, the signature (JSON inside YAML) and the input example', () => {
    const info = parseMlModel(
      [
        'flavors:',
        '  python_function: {loader_module: mlflow.sklearn}',
        '  sklearn: {sklearn_version: 1.5.0}',
        'signature:',
        `  inputs: '[{"type": "double", "name": "x", "required": true}, {"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'`,
        `  outputs: '[{"type": "long", "required": false}]'`,
        '  params: null',
        'saved_input_example_info: {artifact_path: input_example.json, serving_input_path: serving_input_example.json}',
        'run_id: abc',
      ].join('\n'),
    );
    assert.deepEqual(info.flavors, ['python_function', 'sklearn']);
    assert.equal(info.loaderModule, 'mlflow.sklearn');
    assert.equal(info.inputExample, 'input_example.json');
    assert.deepEqual(signatureLines(info), ['input  x: double', 'input  (unnamed): tensor<float64> [-1, 4]', 'output (unnamed): long (optional)']);
  });

  it('a signature that is not JSON reads as empty; a file that is not a mapping is an error', () => {
    assert.deepEqual(parseMlModel("signature:\n  inputs: '{not json'\n").signature?.inputs, []);
    assert.throws(() => parseMlModel('- a\n'), /not a YAML mapping/);
  });
});
