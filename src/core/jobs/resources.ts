// Resource requests as users type them, checked before they reach any engine: a value
// that would change the meaning of a batch script line is refused here, with the reason.
import type { GpuRequest } from './types';

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

const GPU_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * `A100:2`, `a100` (one), `2` (any type), `gpu:a100:2`, `gpu:2`. `knownTypes` (from the
 * cluster's GRES) gives the spelling the cluster uses; otherwise the type is lower-cased,
 * which is how clusters name them far more often than not.
 */
export function parseGpuRequest(text: string, knownTypes: readonly string[] = []): GpuRequest {
  const parts = text.trim().split(':');
  if (parts[0].toLowerCase() === 'gpu' && parts.length > 1) parts.shift();
  let type: string | undefined;
  let count = 1;
  if (parts.length === 1 && /^\d+$/.test(parts[0])) count = Number(parts[0]);
  else if (parts.length === 1) type = parts[0];
  else if (parts.length === 2 && /^\d+$/.test(parts[1])) [type, count] = [parts[0], Number(parts[1])];
  else throw new PlanError(`"${text}" is not a GPU request: write TYPE:COUNT (A100:2), TYPE, or COUNT`);
  if (type !== undefined && !GPU_TYPE.test(type)) throw new PlanError(`"${type}" is not a GPU type name`);
  if (!Number.isSafeInteger(count) || count < 1 || count > 1024) throw new PlanError(`GPU count ${count} is out of range (1-1024)`);
  if (type !== undefined) type = knownTypes.find((k) => k.toLowerCase() === type!.toLowerCase()) ?? type.toLowerCase();
  return { type, count };
}

const TIME = /^(?:(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?|(\d+)(?::(\d+)(?::(\d+))?)?)$/;

/** Slurm's time syntax to seconds; null for UNLIMITED / INFINITE; undefined when unreadable. */
export function parseSlurmDuration(text: string): number | null | undefined {
  const t = text.trim();
  if (/^(UNLIMITED|INFINITE|Partition_Limit)$/i.test(t)) return null;
  const m = TIME.exec(t);
  if (!m) return undefined;
  if (m[1] !== undefined) {
    // D-HH[:MM[:SS]]
    return Number(m[1]) * 86400 + Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  }
  // MM, MM:SS, HH:MM:SS (squeue's elapsed time prints MM:SS and H:MM:SS the same way)
  const nums = [m[5], m[6], m[7]].filter((x) => x !== undefined).map(Number);
  if (nums.length === 1) return nums[0] * 60;
  if (nums.length === 2) return nums[0] * 60 + nums[1];
  return nums[0] * 3600 + nums[1] * 60 + nums[2];
}

/** squeue's TimeUsed: `0:05`, `1:02:03`, `2-01:02:03` (never minutes alone). */
export function parseElapsed(text: string): number | undefined {
  const t = text.trim();
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(t);
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

export function checkTimeLimit(text: string): string {
  const v = parseSlurmDuration(text);
  if (v === undefined || v === null || v <= 0) throw new PlanError(`time limit "${text}" is not MM, HH:MM:SS or D-HH:MM:SS`);
  return text.trim();
}

export function checkMemory(text: string): string {
  const t = text.trim();
  if (!/^\d+[KMGT]?$/i.test(t) || /^0+[KMGT]?$/i.test(t)) throw new PlanError(`memory "${text}" is not a size like 16G or 4000M`);
  return t.toUpperCase();
}

/** Partition, account and QoS names: what Slurm itself accepts, nothing a script line could misread. */
export function checkName(what: string, text: string): string {
  const t = text.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(t) || t.length > 200) throw new PlanError(`${what} "${text}" is not a valid name`);
  return t;
}
