// The environment variables a provenance record keeps: a fixed allow list of names that
// change what a training run does and never hold a secret. Everything else (tokens,
// keys, passwords, whatever the user's shell holds) stays out, by construction.

export const ENV_ALLOW_LIST: readonly string[] = [
  'CUDA_VISIBLE_DEVICES',
  'CUDA_DEVICE_ORDER',
  'CUBLAS_WORKSPACE_CONFIG',
  'NVIDIA_VISIBLE_DEVICES',
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'PYTHONHASHSEED',
  'PYTHONPATH',
  'TF_DETERMINISTIC_OPS',
  'TF_CUDNN_DETERMINISTIC',
  'TORCH_DETERMINISTIC',
  'NCCL_DEBUG',
  'WORLD_SIZE',
  'LOCAL_WORLD_SIZE',
  'DVC_EXP_NAME',
  'MLFLOW_EXPERIMENT_NAME',
  'VIRTUAL_ENV',
  'CONDA_DEFAULT_ENV',
  'LANG',
];

const ALLOWED = new Set(ENV_ALLOW_LIST);

/** The allow-listed variables of `env`, values capped (a PYTHONPATH can be long). */
export function allowListedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ENV_ALLOW_LIST) {
    const v = env[name];
    if (typeof v === 'string' && ALLOWED.has(name)) out[name] = v.length > 500 ? `${v.slice(0, 500)}…` : v;
  }
  return out;
}
