// A DVC project's model registry: the artifacts that dvc.yaml declares (`artifacts:`, type
// `model`) with their versions and stages from GTO's git tags (gtoTags.ts), all tags read
// with one `git for-each-ref`. An artifact that only tags name (GTO "discovers" those too)
// is listed as well; a project without git has models without versions.
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import { errorMessage } from '../common/errors';
import { parseYamlData } from '../common/yamlData';
import { FOR_EACH_REF_ARGS, gtoArtifacts, MAX_TAGS, parseForEachRef } from './gtoTags';
import type { RegisteredModel, RegistryListing } from './types';

export interface DvcArtifact {
  name: string;
  path: string;
  type: string;
  description: string;
  labels: string[];
}

/** The `artifacts:` section of a dvc.yaml's text; damage becomes a warning. */
export function dvcArtifacts(text: string, warnings: string[], file = 'dvc.yaml'): DvcArtifact[] {
  let data: unknown;
  try {
    data = parseYamlData(text);
  } catch (err) {
    warnings.push(`${file}: ${errorMessage(err)}`);
    return [];
  }
  const section = (data as { artifacts?: unknown } | null)?.artifacts;
  if (!section || typeof section !== 'object' || Array.isArray(section)) return [];
  const out: DvcArtifact[] = [];
  for (const [name, spec] of Object.entries(section as Record<string, unknown>)) {
    if (!spec || typeof spec !== 'object') {
      warnings.push(`${file}: artifact ${name} is not a mapping; skipped`);
      continue;
    }
    const s = spec as Record<string, unknown>;
    out.push({
      name,
      path: typeof s.path === 'string' ? s.path : '',
      type: typeof s.type === 'string' ? s.type : '',
      description: typeof s.desc === 'string' ? s.desc : '',
      labels: Array.isArray(s.labels) ? s.labels.map(String) : [],
    });
  }
  return out;
}

/** Models of the DVC project at `root` (its dvc.yaml) with versions from the repository's tags. */
export async function readGtoRegistry(root: string): Promise<RegistryListing> {
  const warnings: string[] = [];
  const file = path.join(root, 'dvc.yaml');
  let declared: DvcArtifact[] = [];
  try {
    declared = dvcArtifacts(await readBoundedText(file, { cap: YAML_JSON_CAP, root }), warnings, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`${file}: ${errorMessage(err)}`);
  }
  let tagsText = '';
  try {
    tagsText = await simpleGit({ baseDir: root }).raw(FOR_EACH_REF_ARGS);
  } catch (err) {
    warnings.push(`git tags of ${root} not read: ${errorMessage(err).split('\n')[0]}`);
  }
  const records = parseForEachRef(tagsText);
  if (records.length >= MAX_TAGS) warnings.push(`${root}: more than ${MAX_TAGS} git tags; only the first ${MAX_TAGS} were read`);
  return { models: gtoModels(declared, gtoArtifacts(records)), loggedModels: [], warnings };
}

export function gtoModels(declared: DvcArtifact[], tagged: ReturnType<typeof gtoArtifacts>): RegisteredModel[] {
  const models: RegisteredModel[] = [];
  const names = new Set([...declared.filter((a) => a.type === 'model').map((a) => a.name), ...[...tagged.keys()].filter((n) => declared.find((a) => a.name === n)?.type !== 'dataset')]);
  for (const name of names) {
    const a = declared.find((d) => d.name === name);
    const t = tagged.get(name);
    models.push({
      name,
      description: a?.description ?? '',
      tags: a?.labels.length ? { labels: a.labels.join(', ') } : {},
      aliases: {},
      path: a?.path,
      type: a?.type || undefined,
      versions: (t?.versions ?? []).map((v) => ({
        name,
        version: v.version,
        aliases: [],
        stage: v.stages.join(', '),
        tags: {},
        status: 'registered',
        created: v.created,
        description: '',
        source: a?.path ?? '',
        gitTag: v.tag,
        commit: v.commit,
      })),
    });
  }
  return models.sort((x, y) => x.name.localeCompare(y.name));
}
