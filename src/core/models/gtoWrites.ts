// The git tags GTO writes, made with plain git: `gto register` is an annotated tag
// `name@vX.Y.Z`, `gto assign` one named `name#stage#N`, N one more than the largest counter
// among the artifact's tags (GTO's rule, so its own later tags keep counting from ours).
// Nothing here pushes; the caller offers a plain `git push origin <tag>` (never --force).
import { compareSemver, parseGtoTag, type TagRecord } from './gtoTags';

export function nextCounter(tags: readonly string[], artifact: string): number {
  let max = 0;
  for (const tag of tags) {
    const e = parseGtoTag({ tag, commit: '', time: 0, tagger: '', subject: '' } satisfies TagRecord);
    if (e && e.artifact === artifact) max = Math.max(max, e.counter);
  }
  return max + 1;
}

const NAME = /^(?:[a-zA-Z0-9\-_./]+:)?[a-zA-Z0-9](?:[a-zA-Z0-9\-/_]*[a-zA-Z0-9])?$/;
const VERSION = /^v(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z\-.]+)?(?:\+[0-9A-Za-z\-.]+)?$/;

/** Why a name, stage or version would not be a GTO tag; undefined when it would. */
export function checkGtoName(value: string): string | undefined {
  return NAME.test(value) ? undefined : 'letters, digits, "-", "_" and "/" only, starting and ending with a letter or digit';
}

export function checkGtoVersion(value: string): string | undefined {
  return VERSION.test(value) ? undefined : 'a semantic version with a leading v, such as v1.2.3';
}

/** The version after the newest one: its patch plus one (v0.0.1 for the first). */
export function nextVersion(versions: readonly string[]): string {
  const newest = [...versions].sort(compareSemver).pop();
  if (!newest) return 'v0.0.1';
  const [major, minor, patch] = newest.replace(/^v/, '').split(/[-+]/)[0].split('.').map(Number);
  return `v${major}.${minor}.${patch + 1}`;
}

const tagName = (artifact: string) => artifact.replace(':', '=');

/** `git tag -a` argv (after `git`) registering `version` of `artifact` at `rev`. */
export function registerTagArgs(artifact: string, version: string, rev: string): string[] {
  return ['tag', '-a', `${tagName(artifact)}@${version}`, '-m', `Registering artifact ${artifact} version ${version}`, rev];
}

/** `git tag -a` argv assigning `stage` to `version` of `artifact`, whose registration is at `commit`. */
export function assignTagArgs(artifact: string, stage: string, version: string, commit: string, counter: number): string[] {
  return ['tag', '-a', `${tagName(artifact)}#${stage}#${counter}`, '-m', `Assigning stage ${stage} to artifact ${artifact} version ${version}`, commit];
}
