// Our reading of GTO's git tags against the real `gto` (PyPI) on a repository whose tags real
// git and real `gto` made: registrations, stage assignments that move between versions, an
// unassignment, a deregistration, an artifact only tags name, and a dataset left out.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readGtoRegistry } from '../../../src/core/models/gtoRegistry';
import { assignTagArgs, nextCounter, nextVersion, registerTagArgs } from '../../../src/core/models/gtoWrites';
import { repoRoot, requireOrSkip } from '../harness';
import { existsSync } from 'node:fs';

const gtoBin = path.join(repoRoot, '.venv-peers', 'bin', 'gto');

describe('DVC/GTO model registry: git tags read back by the real gto', function () {
  this.timeout(180_000);
  let dir = '';
  let t = 1_800_000_000;
  const git = (args: string[], when = t) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_COMMITTER_DATE: `${when} +0000`, GIT_AUTHOR_DATE: `${when} +0000` } });
  // Each tag a minute after the one before: GTO orders events by their (whole-second) time.
  const tag = (name: string, message: string, rev = 'HEAD') => git(['tag', '-a', name, '-m', message, rev], (t += 60));
  const gto = (args: string[]) => execFileSync(gtoBin, args, { cwd: dir, encoding: 'utf8' });

  before(function () {
    requireOrSkip(this, existsSync(gtoBin) ? undefined : `${gtoBin} is missing (run bash scripts/setup/peers.sh)`);
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-gto-'));
    git(['init', '-q', '-b', 'main']);
    git(['config', 'user.email', 'test@example.com']);
    git(['config', 'user.name', 'Test']);
    writeFileSync(path.join(dir, 'dvc.yaml'), 'artifacts:\n  clf:\n    path: models/clf.pkl\n    type: model\n    desc: the classifier\n    labels: [tabular]\n  raw:\n    path: data/raw.csv\n    type: dataset\n');
    git(['add', '.']);
    git(['commit', '-qm', 'first model'], (t += 60));
    const first = git(['rev-parse', 'HEAD']).trim();
    tag('clf@v1.0.0', 'Registering artifact clf version v1.0.0');
    tag('clf#dev#1', 'Assigning stage dev to artifact clf version v1.0.0');
    tag('clf#prod#2', 'Assigning stage prod to artifact clf version v1.0.0');
    writeFileSync(path.join(dir, 'train.py'), 'print(1)\n');
    git(['add', '.']);
    git(['commit', '-qm', 'second model'], (t += 60));
    tag('clf@v1.1.0', 'Registering artifact clf version v1.1.0');
    tag('clf#prod#3', 'Assigning stage prod to artifact clf version v1.1.0');
    tag('clf#staging#4', 'Assigning stage staging to artifact clf version v1.1.0');
    tag('clf#staging!#5', 'Unassigning stage staging from artifact clf version v1.1.0');
    // prod goes back to the first version: the latest assignment wins.
    tag('clf#prod#6', 'Assigning stage prod to artifact clf version v1.0.0', first);
    writeFileSync(path.join(dir, 'train.py'), 'print(2)\n');
    git(['add', '.']);
    git(['commit', '-qm', 'third'], (t += 60));
    tag('clf@v1.2.0-rc.1', 'Registering artifact clf version v1.2.0-rc.1');
    tag('clf@v1.2.0-rc.1!#7', 'Deregistering artifact clf version v1.2.0-rc.1');
    // An artifact no dvc.yaml declares, registered by the real gto.
    gto(['register', 'scorer', '--version', 'v0.1.0']);
    gto(['assign', 'scorer', '--version', 'v0.1.0', '--stage', 'prod']);
    // Not GTO's: ignored.
    git(['tag', 'release-2024'], t);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('versions and stages equal `gto show --json` for every artifact', async () => {
    const ours = await readGtoRegistry(dir);
    assert.deepEqual(ours.warnings, []);
    const summary = JSON.parse(gto(['show', '--json'])) as Record<string, { version: string; stage: Record<string, string> }>;
    const models = ours.models.map((m) => m.name);
    // The dataset is not a model; the tag-only artifact is.
    assert.deepEqual(models, ['clf', 'scorer']);
    for (const name of models) {
      const m = ours.models.find((x) => x.name === name)!;
      const ref = summary[name];
      assert.ok(ref, `gto shows ${name}`);
      // GTO's latest version and stage → version map.
      assert.equal(m.versions[0]?.version, ref.version, `${name}: latest version`);
      const stages: Record<string, string> = {};
      for (const v of m.versions) for (const s of v.stage ? v.stage.split(', ') : []) stages[s] = v.version;
      // gto show lists every stage the repository knows, with null where this artifact has none.
      const refStages = Object.fromEntries(Object.entries(ref.stage).filter(([, v]) => v !== null));
      assert.deepEqual(stages, refStages, `${name}: stages`);
      const perVersion = JSON.parse(gto(['show', name, '--json'])) as { version: string; commit_hexsha: string; stages: { stage: string }[]; is_active: boolean }[];
      const active = perVersion.filter((v) => v.is_active);
      assert.deepEqual(m.versions.map((v) => v.version), active.map((v) => v.version), `${name}: versions, newest first`);
      for (const rv of active) {
        const v = m.versions.find((x) => x.version === rv.version)!;
        assert.equal(v.commit, rv.commit_hexsha, `${name} ${rv.version}: commit`);
      }
    }
    const clf = ours.models[0];
    assert.equal(clf.path, 'models/clf.pkl');
    assert.equal(clf.description, 'the classifier');
    assert.equal(clf.versions.find((v) => v.version === 'v1.0.0')?.stage, 'dev, prod');
  });

  it("Register Version and Assign Stage make the tags gto itself reads (real git, then `gto show`)", async () => {
    const before = (await readGtoRegistry(dir)).models.find((m) => m.name === 'clf')!;
    const version = nextVersion(before.versions.map((v) => v.version));
    assert.equal(version, 'v1.1.1');
    // GTO allows one version per commit (a deregistered one included): a new commit first.
    writeFileSync(path.join(dir, 'train.py'), 'print(3)\n');
    git(['add', '.']);
    git(['commit', '-qm', 'fourth'], (t += 60));
    git(registerTagArgs('clf', version, 'HEAD'), (t += 60));
    const commit = git(['rev-parse', 'HEAD']).trim();
    const tags = git(['tag', '--list']).split('\n').filter(Boolean);
    git(assignTagArgs('clf', 'prod', version, commit, nextCounter(tags, 'clf')), (t += 60));
    const summary = JSON.parse(gto(['show', '--json'])) as Record<string, { version: string; stage: Record<string, string> }>;
    assert.equal(summary.clf.version, version);
    assert.equal(summary.clf.stage.prod, version);
    const after = (await readGtoRegistry(dir)).models.find((m) => m.name === 'clf')!;
    assert.equal(after.versions[0].version, version);
    assert.equal(after.versions[0].stage, 'prod');
  });
});
