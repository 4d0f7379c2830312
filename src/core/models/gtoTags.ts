// GTO's git-tag registry (what `gto register` / `gto assign` write, and what a DVC project's
// release tags are), parsed from one `git for-each-ref` listing:
//   name@v1.2.3[#N]     registers version v1.2.3 at the tagged commit
//   name@v1.2.3!#N      deregisters it
//   name#stage[#N]      assigns `stage` to the version registered at the tagged commit
//   name#stage!#N       unassigns it
// GTO's rule (`gto show`, its default --sort timestamp, one version per stage): a version's
// stage is active when its latest event for that stage is an assignment, and a stage shows
// only the version whose active assignment is the latest. Tags carry times in whole seconds:
// GTO itself then keeps git's order; we break such ties by the counter N, which grows.

/** One line of `git for-each-ref` with FOR_EACH_REF_FORMAT. */
export interface TagRecord {
  tag: string;
  /** The commit the tag names (peeled for annotated tags). */
  commit: string;
  /** Epoch seconds: the tagger's date, or the commit's for a lightweight tag. */
  time: number;
  tagger: string;
  subject: string;
}

export const FOR_EACH_REF_ARGS = ['for-each-ref', '--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)%00%(taggername)%00%(contents:subject)', 'refs/tags'];

/** At most this many tags are looked at; a repository with more is read up to here, with a warning. */
export const MAX_TAGS = 100_000;

export function parseForEachRef(text: string): TagRecord[] {
  const out: TagRecord[] = [];
  for (const line of text.split('\n')) {
    if (out.length >= MAX_TAGS) break;
    const [tag, type, object, peeled, time, tagger, subject] = line.split('\0');
    if (!tag || !object) continue;
    out.push({ tag, commit: type === 'tag' && peeled ? peeled : object, time: Number(time) || 0, tagger: tagger ?? '', subject: subject ?? '' });
  }
  return out;
}

const NAME = '[a-zA-Z0-9](?:[a-zA-Z0-9\\-/_]*[a-zA-Z0-9])?';
const SEMVER = '(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-[0-9A-Za-z\\-.]+)?(?:\\+[0-9A-Za-z\\-.]+)?';
// GTO writes a folder prefix `dir:name` as `dir=name` in tags.
const TAG_RE = new RegExp(`^(?<artifact>(?:[a-zA-Z0-9\\-_./]+=)?${NAME})(?:(?:#(?<stage>${NAME})|@(?<version>v${SEMVER}))(?<cancel>!?)|@(?:deprecated|created))(?:#(?<counter>\\d+))?$`);

export type GtoEvent =
  | { kind: 'register' | 'deregister'; artifact: string; version: string; counter: number; record: TagRecord }
  | { kind: 'assign' | 'unassign'; artifact: string; stage: string; counter: number; record: TagRecord };

export function parseGtoTag(record: TagRecord): GtoEvent | undefined {
  if (record.tag.length > 512) return undefined;
  const m = TAG_RE.exec(record.tag);
  if (!m?.groups) return undefined;
  const { stage, version, cancel, counter } = m.groups;
  const artifact = m.groups.artifact.replace('=', ':');
  const n = counter === undefined ? 0 : Number(counter);
  if (version) return { kind: cancel ? 'deregister' : 'register', artifact, version, counter: n, record };
  if (stage) return { kind: cancel ? 'unassign' : 'assign', artifact, stage, counter: n, record };
  return undefined;
}

export interface GtoVersion {
  version: string;
  commit: string;
  tag: string;
  created: number;
  author: string;
  /** Stages this version holds now (GTO's rule, one version per stage). */
  stages: string[];
}

export interface GtoArtifact {
  name: string;
  /** Newest first, by semver. */
  versions: GtoVersion[];
  /** stage → version. */
  stages: Record<string, string>;
}

const later = (a: { record: TagRecord; counter: number }, b: { record: TagRecord; counter: number }) => a.record.time - b.record.time || a.counter - b.counter;

export function gtoArtifacts(records: TagRecord[]): Map<string, GtoArtifact> {
  const events = records.map(parseGtoTag).filter((e): e is GtoEvent => !!e);
  const byArtifact = new Map<string, GtoEvent[]>();
  for (const e of events) {
    const list = byArtifact.get(e.artifact) ?? [];
    list.push(e);
    byArtifact.set(e.artifact, list);
  }
  const out = new Map<string, GtoArtifact>();
  for (const [name, list] of byArtifact) {
    list.sort(later);
    const versions = new Map<string, GtoVersion & { active: boolean }>();
    for (const e of list) {
      if (e.kind === 'register') {
        const v = versions.get(e.version);
        if (!v) versions.set(e.version, { version: e.version, commit: e.record.commit, tag: e.record.tag, created: e.record.time * 1000, author: e.record.tagger, stages: [], active: true });
        else v.active = true;
      } else if (e.kind === 'deregister') {
        const v = versions.get(e.version);
        if (v) v.active = false;
      }
    }
    const live = [...versions.values()].filter((v) => v.active);
    // A stage tag names a commit; the version is the one registered there (the newest, if several).
    const versionAt = (commit: string) => live.filter((v) => v.commit === commit).sort((a, b) => compareSemver(b.version, a.version))[0];
    // For each (version, stage): its latest event; active when that is an assignment.
    const lastEvent = new Map<string, { version: string; stage: string; assign: boolean; at: { record: TagRecord; counter: number } }>();
    for (const e of list) {
      if (e.kind !== 'assign' && e.kind !== 'unassign') continue;
      const v = versionAt(e.record.commit);
      if (!v) continue;
      lastEvent.set(`${v.version}\n${e.stage}`, { version: v.version, stage: e.stage, assign: e.kind === 'assign', at: e });
    }
    const stageWinner = new Map<string, { version: string; at: { record: TagRecord; counter: number } }>();
    for (const ev of lastEvent.values()) {
      if (!ev.assign) continue;
      const cur = stageWinner.get(ev.stage);
      if (!cur || later(ev.at, cur.at) > 0) stageWinner.set(ev.stage, { version: ev.version, at: ev.at });
    }
    const stages: Record<string, string> = {};
    for (const [stage, w] of [...stageWinner].sort(([a], [b]) => a.localeCompare(b))) {
      stages[stage] = w.version;
      live.find((v) => v.version === w.version)?.stages.push(stage);
    }
    out.set(name, {
      name,
      versions: live.sort((a, b) => compareSemver(b.version, a.version)).map(({ active: _active, ...v }) => v),
      stages,
    });
  }
  return out;
}

/** Semver precedence of `v1.2.3[-pre][+build]` (build metadata ignored, as semver says). */
export function compareSemver(a: string, b: string): number {
  const parse = (s: string) => {
    const [core, pre] = s.replace(/^v/, '').split('+')[0].split(/-(.*)/s);
    return { nums: core.split('.').map(Number), pre: pre ? pre.split('.') : [] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (!x.pre.length || !y.pre.length) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}
