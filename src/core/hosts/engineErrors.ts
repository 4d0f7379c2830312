// Docker Engine failures in words, each with what to do next. The matched texts are the
// engine's and Node's own (see the unit tests for where each was seen).

export type EngineErrorKind =
  | 'no-gpu-runtime'
  | 'image-missing'
  | 'port-taken'
  | 'engine-down'
  | 'permission-denied'
  | 'name-taken'
  | 'no-docker-cli'
  | 'timeout'
  | 'other';

export interface EngineProblem {
  kind: EngineErrorKind;
  /** One sentence: what failed. */
  message: string;
  /** One sentence: what to do about it. */
  nextStep: string;
  /** The engine's (or the system's) own words, for the log. */
  detail: string;
}

interface ErrorLike {
  message?: string;
  code?: string;
  statusCode?: number;
  reason?: string;
  json?: { message?: string } | null;
  address?: string;
}

function detailOf(err: unknown): { text: string; e: ErrorLike } {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const text = e.json?.message ?? e.message ?? String(err);
  return { text, e };
}

/** `where` names the engine for the user: "this machine" or "gpu-box (SSH)". */
export function describeEngineError(err: unknown, where = 'this machine'): EngineProblem {
  const { text, e } = detailOf(err);
  const p = (kind: EngineErrorKind, message: string, nextStep: string): EngineProblem => ({ kind, message, nextStep, detail: text });

  if (/could not select device driver .* with capabilities: \[\[gpu\]\]/i.test(text)) {
    return p(
      'no-gpu-runtime',
      `Docker on ${where} cannot give GPUs to containers: the NVIDIA Container Toolkit is not installed or not configured.`,
      'Install nvidia-container-toolkit on that host and run `nvidia-ctk runtime configure --runtime=docker`, restart Docker, or launch with GPUs: none.',
    );
  }
  if (/port is already allocated|address already in use/i.test(text)) {
    const port = /:(\d+)(?: failed|\)|:)/.exec(text)?.[1];
    return p(
      'port-taken',
      `A port the workspace publishes${port ? ` (${port})` : ''} is already in use on ${where}.`,
      'Choose another host port in the launch profile, or leave it empty so Docker picks a free one.',
    );
  }
  if (e.statusCode === 404 && /no such image|pull access denied|manifest .* not found|not found: manifest unknown/i.test(text)) {
    return p('image-missing', `The image is not on ${where}: ${text.replace(/^.*?(No such image:\s*)/i, '')}`, 'Pull or build the image on that host (docker pull / docker build), or pick one of the listed local images.');
  }
  if (/pull access denied|repository does not exist|No such image/i.test(text)) {
    return p('image-missing', `The image is not on ${where}.`, 'Pull or build the image on that host (docker pull / docker build), or pick one of the listed local images.');
  }
  if (e.statusCode === 409 && /is already in use by container/i.test(text)) {
    return p('name-taken', `A container with that name already exists on ${where}.`, 'Give the workspace another name, or remove the old container first.');
  }
  if (e.code === 'EACCES' || /permission denied.*docker\.sock|Got permission denied while trying to connect to the Docker daemon|dial unix .*: permission denied/i.test(text)) {
    return p(
      'permission-denied',
      `Permission denied on the Docker socket of ${where}.`,
      'Add your user to the docker group (sudo usermod -aG docker $USER) and log in again, or point the host at a socket you may use.',
    );
  }
  // The last one is the remote CLI's `docker system dial-stdio` (Docker over SSH).
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || /Cannot connect to the Docker daemon|Is the docker daemon running|dial unix .*: (no such file or directory|connection refused)/i.test(text)) {
    return p('engine-down', `The Docker engine on ${where} is not running (nothing answers on its socket).`, 'Start Docker there (systemctl start docker, or Docker Desktop), then refresh.');
  }
  // The socket accepted and hung up without an answer: an engine stopping or crashed.
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || /socket hang up|unexpected EOF|broken pipe|EOF$/i.test(text)) {
    return p('engine-down', `The Docker engine on ${where} closed the connection without answering (stopping or crashed).`, 'Check that Docker runs there (systemctl status docker), then refresh.');
  }
  if (/docker: (command )?not found|docker: No such file|exit (status|code) 127/i.test(text)) {
    return p('no-docker-cli', `There is no docker command on ${where}, which Docker over SSH needs.`, 'Install Docker (the CLI and engine) on that host, or make sure `docker` is on the PATH of a non-interactive SSH login.');
  }
  if (e.code === 'ETIMEDOUT' || /timed out|timeout/i.test(text)) {
    return p('timeout', `Docker on ${where} did not answer in time.`, 'Check that the host is reachable and the engine is not stuck, then refresh.');
  }
  return p('other', `Docker on ${where} failed: ${text}`, 'See the MLOps log for details.');
}
