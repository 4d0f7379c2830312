// What MlflowClient reads of a registry (models_peer.py `read` and `logged`), and the check
// that one of our listings equals it field by field: shared by the registry suites.
import { strict as assert } from 'node:assert';
import type { RegistryListing } from '../../../src/core/models/types';
import { peerRun } from './modelsPeer';

interface RefModel {
  name: string;
  description: string;
  created: number;
  updated: number;
  tags: Record<string, string>;
  aliases: Record<string, string>;
}
interface RefVersion {
  name: string;
  version: string;
  stage: string;
  status: string;
  created: number;
  description: string;
  source: string;
  runId: string;
  tags: Record<string, string>;
  aliases: string[];
  modelId: string;
}
interface RefLogged {
  id: string;
  name: string;
  experimentId: string;
  runId: string;
  status: string;
  created: number;
  artifactLocation: string;
  tags: Record<string, string>;
}

/** Ours equals MlflowClient's, field by field. */
export function assertSameRegistry(ours: RegistryListing, python: string, uri: string): void {
  const ref = peerRun<{ models: RefModel[]; versions: RefVersion[] }>(python, ['read', uri]);
  assert.ok(ref.models.length > 0, 'the peer wrote models');
  assert.deepEqual(ours.models.map((m) => m.name).sort(), ref.models.map((m) => m.name).sort());
  for (const r of ref.models) {
    const m = ours.models.find((x) => x.name === r.name)!;
    assert.deepEqual(
      { name: m.name, description: m.description, created: m.created, updated: m.updated, tags: m.tags, aliases: m.aliases },
      r,
      `model ${r.name}`,
    );
    const refVersions = ref.versions.filter((v) => v.name === r.name);
    assert.deepEqual(m.versions.map((v) => v.version).sort(), refVersions.map((v) => v.version).sort(), `versions of ${r.name}`);
    for (const rv of refVersions) {
      const v = m.versions.find((x) => x.version === rv.version)!;
      assert.deepEqual(
        { name: v.name, version: v.version, stage: v.stage, status: v.status, created: v.created, description: v.description, source: v.source, runId: v.runId ?? '', tags: v.tags, aliases: v.aliases, modelId: v.modelId ?? '' },
        // MlflowClient fills model_id only from the file store; mlflow.db and the server keep
        // it in `source` (models:/m-…), which is where we take it from.
        { ...rv, modelId: rv.modelId || (rv.source.startsWith('models:/m-') ? rv.source.slice('models:/'.length) : '') },
        `${r.name} version ${rv.version}`,
      );
    }
  }
  const logged = peerRun<RefLogged[]>(python, ['logged', uri]);
  assert.equal(ours.loggedModels.length, logged.length, 'logged models');
  for (const r of logged) {
    const lm = ours.loggedModels.find((x) => x.id === r.id)!;
    assert.ok(lm, `logged model ${r.id}`);
    assert.deepEqual({ ...lm, runId: lm.runId ?? '', status: lm.status, tags: lm.tags }, { ...r, status: r.status.replace(/^LoggedModelStatus\./, '') }, `logged model ${r.id}`);
  }
}
