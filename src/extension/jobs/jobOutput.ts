// Reading a job's output file on the login node: its size and its last OUTPUT_MAX_BYTES in
// one exec, so a chatty job cannot fill the editor's memory. No `vscode` here: the
// integration test reads a real job's output through exactly this.
import type { ExecOutcome } from '../../core/hosts/gpuProbe';
import type { RemoteExec } from '../../core/jobs/types';
import type { L10n } from './jobsModel';

export const OUTPUT_MAX_BYTES = 4 * 1024 * 1024;

/** The file's size on the first line, then its end (`tail -c`: bounded whatever its size). */
export function outputArgv(path: string, maxBytes = OUTPUT_MAX_BYTES): string[] {
  return ['sh', '-c', 'wc -c < "$1" && tail -c "$2" -- "$1"', 'sh', path, String(maxBytes)];
}

/** The text to show, with a first line saying so when the file was cut; throws when it cannot be read. */
export function outputText(l10n: L10n, path: string, res: ExecOutcome, maxBytes = OUTPUT_MAX_BYTES): string {
  if (res.code !== 0) throw new Error(l10n.t('Could not read {0}: {1}', path, res.stderr.trim() || `exit ${res.code}`));
  const nl = res.stdout.indexOf('\n');
  const size = Number(res.stdout.slice(0, nl).trim());
  const body = res.stdout.slice(nl + 1);
  if (!(size > maxBytes)) return body;
  return `${l10n.t('[the last {0} MB of {1} MB; the whole file is {2} on the cluster]', (maxBytes / 1048576).toFixed(1), (size / 1048576).toFixed(1), path)}\n${body}`;
}

export async function readJobOutput(l10n: L10n, exec: RemoteExec, path: string, maxBytes = OUTPUT_MAX_BYTES): Promise<string> {
  return outputText(l10n, path, await exec(outputArgv(path, maxBytes)), maxBytes);
}
