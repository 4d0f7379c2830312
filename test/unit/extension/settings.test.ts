import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MACHINE_SETTINGS, SETTING_DEFAULTS, settingOrDefault, type SettingKey } from '../../../src/extension/settingsTable';

const root = path.resolve(__dirname, '../../..');

interface Contributed {
  default?: unknown;
  scope?: string;
  type?: string;
}

function contributed(): Record<string, Contributed> {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const sections = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
  const out: Record<string, Contributed> = {};
  for (const s of sections) Object.assign(out, s.properties);
  return out;
}

describe('settings: settingsTable.ts agrees with package.json', () => {
  const pkg = contributed();
  const ours = Object.keys(SETTING_DEFAULTS).map((k) => `mlops.${k}`).sort();

  it('lists the same settings', () => {
    assert.deepEqual(ours, Object.keys(pkg).sort());
  });

  it('has the same default for each', () => {
    for (const [k, v] of Object.entries(SETTING_DEFAULTS)) assert.deepEqual(v, pkg[`mlops.${k}`].default, `mlops.${k}`);
  });

  it('reads from the user only exactly the machine-scoped settings', () => {
    const machine = Object.entries(pkg).filter(([, v]) => v.scope === 'machine').map(([k]) => k.slice('mlops.'.length)).sort();
    assert.deepEqual([...MACHINE_SETTINGS].sort(), machine);
  });

  it('falls back to the default for a value of the wrong shape (a crafted settings.json)', () => {
    assert.equal(settingOrDefault('mlflow.maxRuns', '1e9'), 10_000);
    assert.equal(settingOrDefault('mlflow.maxRuns', Number.NaN), 10_000);
    assert.equal(settingOrDefault('mlflow.maxRuns', 50), 50);
    assert.deepEqual(settingOrDefault('hosts', { a: 1 }), []);
    assert.equal(settingOrDefault('languageServer.enabled', 'false'), true);
    assert.equal(settingOrDefault('dvc.path' as SettingKey, undefined), '');
  });
});
