import type { RunStatus } from '../types';

/** The file store writes RunStatus as its protobuf number; the SQL store as its name. */
const BY_NUMBER: Record<number, RunStatus> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };

export function runStatus(raw: unknown): RunStatus {
  if (typeof raw === 'number') return BY_NUMBER[raw] ?? 'UNKNOWN';
  if (typeof raw === 'string') {
    const up = raw.toUpperCase();
    if (up in { RUNNING: 1, SCHEDULED: 1, FINISHED: 1, FAILED: 1, KILLED: 1 }) return up as RunStatus;
    if (/^\d+$/.test(raw)) return BY_NUMBER[Number(raw)] ?? 'UNKNOWN';
  }
  return 'UNKNOWN';
}
