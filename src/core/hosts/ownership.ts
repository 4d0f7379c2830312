// Whose workspace is it. On a shared GPU server everyone who can reach the engine sees every
// workspace we launched; the owner label lets the view and the commands leave a teammate's
// alone. It is a courtesy, not a security boundary: whoever may use the Docker socket may
// stop any container with the docker CLI.

/** Every workspace we launch carries its owner under this label. */
export const OWNER_LABEL = 'mlops.owner';

/** What a workspace launched before owners existed (or by another tool) reads as. */
export const UNKNOWN_OWNER = 'unknown owner';

/** Longest owner name we write or show: a label is ours to keep short, not a place for a blob. */
const MAX_OWNER = 64;

/**
 * The identity we launch as: the configured name (`mlops.user`) when set, else the OS user.
 * Control characters go and the length is bounded, since it ends up in labels and menus.
 */
export function resolveUser(configured: string | undefined, osUser: () => string): string {
  const clean = (s: string) => s.replace(/[\p{Cc}\p{Cf}]+/gu, '').trim().slice(0, MAX_OWNER);
  const c = clean(configured ?? '');
  if (c) return c;
  let os = '';
  try {
    os = clean(osUser());
  } catch {
    // os.userInfo() throws for a uid without a passwd entry (some containers); fall through.
  }
  return os || 'unknown';
}

/** The owner a container's labels name; undefined when it carries none (never treated as ours). */
export function ownerOf(labels: Readonly<Record<string, string>> | null | undefined): string | undefined {
  const o = labels?.[OWNER_LABEL];
  if (typeof o !== 'string') return undefined;
  const t = o.trim();
  return t ? t.slice(0, MAX_OWNER) : undefined;
}

/** How the owner reads in the view: the name, or "unknown owner". */
export function ownerText(labels: Readonly<Record<string, string>> | null | undefined): string {
  return ownerOf(labels) ?? UNKNOWN_OWNER;
}

/** Ours only when the label names us exactly; a workspace without the label is not ours. */
export function isMine(ws: { labels?: Readonly<Record<string, string>> | null }, me: string): boolean {
  const o = ownerOf(ws.labels);
  return o !== undefined && o === me;
}

/** The labels that mark a new workspace as `me`'s. */
export function ownerLabels(me: string): Record<string, string> {
  return { [OWNER_LABEL]: me };
}

/** Why a start/stop/restart/remove is refused: a teammate's workspace, or one with no owner. */
export type Refusal = { reason: 'teammate'; owner: string } | { reason: 'no-owner' };

/**
 * Whether `me` may change a workspace with these labels — read on the engine, never taken
 * from the caller's argument, which may be forged. Undefined: allowed.
 */
export function refusal(labels: Readonly<Record<string, string>> | null | undefined, me: string): Refusal | undefined {
  if (isMine({ labels }, me)) return undefined;
  const owner = ownerOf(labels);
  return owner === undefined ? { reason: 'no-owner' } : { reason: 'teammate', owner };
}

/** A host's workspaces split into the user's and the team's, order kept. */
export function splitByOwner<T extends { labels?: Readonly<Record<string, string>> | null }>(list: readonly T[], me: string): { mine: T[]; team: T[] } {
  const mine: T[] = [];
  const team: T[] = [];
  for (const ws of list) (isMine(ws, me) ? mine : team).push(ws);
  return { mine, team };
}
