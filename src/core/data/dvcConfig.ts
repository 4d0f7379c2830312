// The bits of .dvc/config (+ config.local) the Data view needs: where the cache is and
// which remote is the default. DVC's config is INI (configobj); sections of remotes
// are written `['remote "name"']`.
import { emptyIfMissing } from '../common/errors';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import * as path from 'node:path';

export type IniSections = Record<string, Record<string, string>>;

export function parseDvcIni(text: string): IniSections {
  const out: IniSections = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[\s*'?(.*?)'?\s*\]$/.exec(line);
    if (head) {
      section = head[1].replace(/\s+/g, ' ').replace(/"/g, '');
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) (out[section] ??= {})[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

export interface DvcRemote {
  name: string;
  url: string;
  /** An absolute folder for local (and file://) remotes: checked natively. */
  localPath?: string;
  /** The remote's other settings (user, port, keyfile for SSH). */
  options?: Record<string, string>;
}

export interface DvcConfig {
  cacheDir: string;
  remote?: DvcRemote;
}

/** The project's config, config.local overriding config, as DVC merges them. */
export async function readDvcConfig(root: string): Promise<DvcConfig> {
  const dvcDir = path.join(root, '.dvc');
  const merged: IniSections = {};
  for (const name of ['config', 'config.local']) {
    const text = await readBoundedText(path.join(dvcDir, name), { cap: YAML_JSON_CAP, root }).catch(emptyIfMissing);
    for (const [s, kv] of Object.entries(parseDvcIni(text))) merged[s] = { ...merged[s], ...kv };
  }
  // Relative paths in the config are relative to .dvc/.
  const cacheDir = merged.cache?.dir ? path.resolve(dvcDir, merged.cache.dir) : path.join(dvcDir, 'cache');
  const name = merged.core?.remote;
  const url = name ? merged[`remote ${name}`]?.url : undefined;
  if (!name || !url) return { cacheDir };
  const { url: _url, ...options } = merged[`remote ${name}`];
  return { cacheDir, remote: { name, url, localPath: localRemotePath(url, dvcDir), ...(Object.keys(options).length ? { options } : {}) } };
}

function localRemotePath(url: string, dvcDir: string): string | undefined {
  if (url.startsWith('file://')) return decodeURIComponent(url.slice('file://'.length));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return undefined;
  return path.resolve(dvcDir, url);
}
