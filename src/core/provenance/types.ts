// What made a run: the record captured at launch, kept in the store's own format (MLflow
// tags and artifacts, or a git note on a DVC experiment commit) and read back to show
// and to reproduce a run.

/** Something that could not be found out reads "unknown", never an error. */
export const UNKNOWN = 'unknown';

export interface GpuDescription {
  /** "NVIDIA H100 80GB HBM3", several GPUs as "2× NVIDIA A100-SXM4-40GB", or "unknown". */
  model: string;
  driver: string;
  cuda: string;
}

export interface CodeProvenance {
  commit?: string;
  branch?: string;
  /** The `origin` remote, user and password removed. */
  repoUrl?: string;
  /** Uncommitted changes (tracked files' changes as `git diff --binary HEAD` reports them, and untracked, not ignored files): files changed. */
  changedFiles: string[];
  /** Bytes of the whole patch (before any cap). */
  patchBytes: number;
  /** The patch kept is only its first PATCH_CAP bytes: it cannot be applied as is. */
  patchCapped: boolean;
  /** file → short hash of that file's part of the patch: two runs at one commit differ where these do. */
  fileHashes: Record<string, string>;
  /** Untracked files left out of the patch (each over 1 MiB, or past 1,000 files / 4 MiB): up to 50 names. */
  skippedUntracked?: string[];
  /** How many untracked files were left out. */
  skippedUntrackedCount?: number;
}

export interface DataProvenance {
  /** dep path → md5, as dvc.lock recorded them for the stage(s) run. */
  deps: Record<string, string>;
  /** `.dvc` file → md5 of its out, for the `.dvc` files the stage reads. */
  dvcFiles: Record<string, string>;
}

export interface EnvironmentProvenance {
  image?: { name: string; digest: string };
  host: string;
  gpu: GpuDescription;
  python: string;
  /** Lines of `pip freeze` (kept whole as an artifact; here only how many). */
  packages: number;
  command: string[];
  /** Allow-listed environment variables only. */
  env: Record<string, string>;
}

export interface Provenance {
  version: 1;
  /** What launched it: `dvc repro`, `dvc exp run`, `mlflow run`, in a workspace container. */
  launcher: 'dvc-repro' | 'dvc-exp' | 'mlflow-run' | 'workspace';
  /** The stages whose data and params are recorded; absent: every stage in dvc.lock. */
  stages?: string[];
  code: CodeProvenance;
  params: Record<string, string>;
  data: DataProvenance;
  environment: EnvironmentProvenance;
  /** `endReason`: a cluster job the engine ended before its own end ran (`killed by Slurm: TIMEOUT`). */
  timing: { start: number; end?: number; exitCode?: number; endReason?: string };
  /** A cluster job: its environment and timing were measured on the node that ran it. */
  job?: { cluster: string; jobId: string };
}

/** The record plus the two texts too large for tags: kept as artifacts. */
export interface Captured {
  provenance: Provenance;
  patch: string;
  pipFreeze: string;
}
