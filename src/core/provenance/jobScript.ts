// The shell lines a cluster job's script carries to measure its node for provenance
// (jobProvenance.ts reads what they write). Kept apart so the script writers load no capture code.
import { shellQuote } from '../hosts/shellQuote';

/** The job's measurements, relative to the job's folder (its results folder on the cluster). */
export const JOB_ENV_DIR = '.mlops/jobs';
/** Named by the job id where the engine gives the script one (Slurm); a Ray job runs in a private copy of its folder: `job`. */
export const jobEnvFile = (jobId = 'job'): string => `${JOB_ENV_DIR}/mlops-env-${jobId.replace(/[^A-Za-z0-9_.-]/g, '_')}.txt`;

/** pip freeze kept by the job: at most this many bytes (the rest is cut on the node). */
export const JOB_FREEZE_CAP = 1024 * 1024;
export const ENV_MARK = 'mlops-env 1';

/**
 * Shell lines (bash) run after the setup and `cd`, before the command: they write what the
 * node is into `<dir>/mlops-env-<id>.txt`. `idVar` is the engine's job id variable name. Any
 * failure here leaves the job running (everything is `|| true`, errors to /dev/null); a
 * missing nvidia-smi leaves the GPU section empty (read as unknown); each probe is bounded
 * by `timeout`, pip freeze by bytes.
 */
export function jobPrologueLines(dir: string, idVar?: string): string[] {
  if (idVar !== undefined && !/^[A-Z_][A-Z0-9_]*$/.test(idVar)) throw new Error(`not a variable name: ${idVar}`);
  const d = shellQuote(dir);
  return [
    '# provenance: what this node is, beside the results (read when they come home)',
    `__mlops_env=${d}/mlops-env-${idVar ? `"\${${idVar}:-0}"` : 'job'}.txt`,
    '__mlops_py=python; command -v python >/dev/null 2>&1 || __mlops_py=python3',
    `{ mkdir -p -- ${d} && { echo '${ENV_MARK}'; echo "start=$(date +%s)"; echo "host=$(hostname)"; echo "python=$(timeout 15 "$__mlops_py" -V 2>&1 | head -n 1)"; ` +
      `echo '--- gpu'; timeout 10 nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; echo '--- nvidia-smi'; timeout 10 nvidia-smi | head -n 20; ` +
      `echo '--- pip'; timeout 60 "$__mlops_py" -m pip freeze --disable-pip-version-check | head -c ${JOB_FREEZE_CAP}; echo; } > "$__mlops_env"; } 2>/dev/null || true`,
  ];
}

/** Right after the command (run without `exec`): its exit status (kept in `$__mlops_rc`) and the end time. */
export function jobEpilogueLines(): string[] {
  return ['__mlops_rc=$?', `{ printf '%s\\nexit=%s\\nend=%s\\n' '--- end' "$__mlops_rc" "$(date +%s)" >> "$__mlops_env"; } 2>/dev/null || true`];
}

/** The job's end: the command's own status. */
export const JOB_EXIT_LINE = 'exit "$__mlops_rc"';

