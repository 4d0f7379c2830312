// "Pushed?" for an SSH remote, natively: the remote is DVC's cache layout on a server, so
// one `sh` per batch of object paths over an existing SSH connection answers which are
// there — no DVC (and no dvc-ssh plugin) needed on either side.
import * as path from 'node:path';
import type { Artifact } from './artifacts';
import type { ManifestEntry } from './cacheLayout';

export interface SshRemoteUrl {
  host: string;
  port: number;
  user?: string;
  path: string;
}

/** `ssh://[user@]host[:port]/path` as DVC writes SSH remotes; undefined for anything else. */
export function parseSshUrl(url: string): SshRemoteUrl | undefined {
  const m = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?(\/.*)$/.exec(url);
  if (!m) return undefined;
  return { user: m[1] ? decodeURIComponent(m[1]) : undefined, host: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : 22, path: decodeURIComponent(m[4]) };
}

/** Runs an argv on the server (HostConnection.exec). */
export type RemoteExec = (argv: readonly string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;

const rel = (md5: string, legacy: boolean) => (legacy ? `${md5.slice(0, 2)}/${md5.slice(2)}` : `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`);
const SCRIPT = 'cd "$1" || exit 3; shift; for p do [ -e "$p" ] && printf "%s\\n" "$p"; done; exit 0';
const BATCH = 400;

/** Relative object paths (DVC layout) present under `root` on the server. */
export async function presentObjects(exec: RemoteExec, root: string, objects: string[]): Promise<Set<string>> {
  const present = new Set<string>();
  for (let i = 0; i < objects.length; i += BATCH) {
    const r = await exec(['sh', '-c', SCRIPT, 'sh', root, ...objects.slice(i, i + BATCH)]);
    if (r.code === 3) throw new Error(`the remote folder ${root} does not exist on the server (run "dvc push" once to create it)`);
    if (r.code !== 0) throw new Error(`checking the remote failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
    for (const line of r.stdout.split('\n')) if (line) present.add(line);
  }
  return present;
}

/** For each artifact, whether every object of its version is on the remote. */
export async function pushedOnSsh(exec: RemoteExec, root: string, artifacts: Artifact[], manifests: Map<string, ManifestEntry[] | undefined>): Promise<Map<string, boolean>> {
  const wanted = new Map<string, string[]>();
  for (const a of artifacts) {
    const objs = [rel(a.md5, a.legacy)];
    for (const e of manifests.get(a.path) ?? []) objs.push(rel(e.md5, a.legacy));
    wanted.set(a.path, objs);
  }
  const present = await presentObjects(exec, path.posix.normalize(root), [...new Set([...wanted.values()].flat())]);
  // A directory whose manifest we could not read counts as pushed only if its manifest is there.
  return new Map([...wanted].map(([p, objs]) => [p, objs.every((o) => present.has(o))]));
}
