// Where a reproduction runs, decided without the editor: which hosts carry the GPU model
// the run recorded (those are offered first), what to ask when none does, and what to do
// when the recorded image's digest is not on the chosen host (ask: pull by digest, use
// the tag, or cancel — never pull without asking).
import type { HostGpuSnapshot } from '../hosts/gpuPlacement';
import { UNKNOWN } from './types';

/** The GPU names a recorded model string holds: "2× NVIDIA A100" → ["NVIDIA A100"]; "A + B" → both. */
export function recordedGpuNames(model: string | undefined): string[] {
  if (!model || model === UNKNOWN) return [];
  return [...new Set(model.split(' + ').map((s) => s.replace(/^\d+×\s*/, '').trim()).filter(Boolean))];
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

export interface HostChoice {
  host: string;
  /** The host's GPU models, as its probe names them ("none" when it has none). */
  models: string[];
  /** Carries every GPU model the run recorded (true when the run recorded none). */
  matches: boolean;
  /** Why the host could not be asked, when it could not. */
  problem?: string;
}

/** The hosts, those carrying the recorded GPU model(s) first (order kept within each group). */
export function rankHostsForGpu(recordedModel: string | undefined, hosts: readonly HostGpuSnapshot[]): HostChoice[] {
  const want = recordedGpuNames(recordedModel).map(norm);
  const choices = hosts.map((s): HostChoice => {
    const p = s.probe;
    const models = p.kind === 'gpus' ? [...new Set(p.gpus.map((g) => g.name))] : [];
    const problem = p.kind === 'unreachable' ? p.message : p.kind === 'error' ? p.message : undefined;
    const have = new Set(models.map(norm));
    return { host: s.host, models, matches: want.every((w) => have.has(w)), ...(problem ? { problem } : {}) };
  });
  return [...choices.filter((c) => c.matches), ...choices.filter((c) => !c.matches)];
}

/**
 * The host the run came from first within its group (a run in a workspace records
 * "<host>/<workspace>"): with the recorded GPU, or the same lack of one, it is the likeliest
 * to match everything else too.
 */
export function recordedHostFirst(choices: readonly HostChoice[], recordedHost: string | undefined): HostChoice[] {
  const name = recordedHost?.split('/')[0];
  const at = choices.findIndex((c) => c.host === name);
  if (at <= 0) return [...choices];
  const groupStart = choices.findIndex((c) => c.matches === choices[at].matches);
  const out = [...choices];
  const [c] = out.splice(at, 1);
  out.splice(groupStart, 0, c);
  return out;
}

/** The warning before running on a host without the recorded GPU; undefined when nothing to warn of. */
export function gpuMismatchWarning(recordedModel: string | undefined, choice: HostChoice): string | undefined {
  if (choice.matches) return undefined;
  const here = choice.models.length ? choice.models.join(', ') : 'no GPU';
  return `The run was recorded on ${recordedModel}; ${choice.host} has ${here}. Metrics that depend on the GPU (kernels, precision, nondeterministic reductions) may differ.`;
}

/**
 * `repo@sha256:...` for a pull by digest: the name's tag is dropped (a registry port, as in
 * "registry:5000/team/img:1", is not a tag). A name already pinned by digest is kept.
 */
export function digestReference(name: string, digest: string): string {
  if (name.includes('@')) return name;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const repo = colon > slash ? name.slice(0, colon) : name;
  return `${repo}@${digest}`;
}

export type ImageDecision =
  /** The recorded digest is on the host: create the container from it (exactly that image). */
  | { kind: 'use'; ref: string }
  /** It is not: ask the user, offering these two references (or cancel). */
  | { kind: 'ask'; pullRef: string; tagRef: string; message: string };

export function imageDecision(image: { name: string; digest: string }, host: string, digestPresent: boolean, tagPresent: boolean): ImageDecision {
  if (digestPresent) return { kind: 'use', ref: image.digest };
  const tagNote = tagPresent ? `${image.name} is there, but it may be another build` : `${image.name} is not there either`;
  return {
    kind: 'ask',
    pullRef: digestReference(image.name, image.digest),
    tagRef: image.name,
    message: `The run's image ${image.name} (${image.digest.replace(/^sha256:/, '').slice(0, 12)}) is no longer on ${host}; ${tagNote}.`,
  };
}

/** What the report says of the image the reproduction ran in, against the recorded one. */
export function imageNotMatched(recorded: { name: string; digest: string }, ran: { name: string; digest: string } | undefined): string | undefined {
  if (!ran) return `image ${recorded.name}: the reproduction ran on this machine, not in the image`;
  if (ran.digest !== recorded.digest) return `image ${recorded.name}: the reproduction ran in ${ran.name} (${ran.digest.replace(/^sha256:/, '').slice(0, 12)}), not the recorded digest ${recorded.digest.replace(/^sha256:/, '').slice(0, 12)}`;
  return undefined;
}

/**
 * The image to record for the reproduction: the recorded name where the digest is the
 * recorded one (the engine names a container made from a digest by that digest alone).
 */
export function ranImage(recorded: { name: string; digest: string }, ran: { name: string; digest: string } | undefined): { name: string; digest: string } | undefined {
  return ran && ran.digest === recorded.digest ? recorded : ran;
}
