// Where the Jupyter server inside a workspace listens and with which token: from the lines
// Jupyter prints at startup ("http://127.0.0.1:8888/lab?token=…"), or from
// `jupyter server list --json` run inside. Pure: the finder below only feeds it text.

export interface JupyterServer {
  /** The port inside the container. */
  port: number;
  /** "/lab", "/tree", "/" … as printed; the base URL is kept. */
  path: string;
  /** Empty when the server runs without a token (password or no auth). */
  token: string;
}

/** Enough for every startup banner; a log is read bounded before it comes here. */
const MAX_LINES = 20000;
const URL_RE = /https?:\/\/([A-Za-z0-9_.[\]:-]{1,255}?):(\d{1,5})(\/[^\s?#'"<>]{0,500})?(?:\?token=([A-Za-z0-9_-]{1,200}))?/g;

function server(port: string, path: string | undefined, token: string | undefined): JupyterServer | undefined {
  const p = Number(port);
  if (!(p > 0 && p < 65536)) return undefined;
  return { port: p, path: path || '/', token: token ?? '' };
}

/**
 * The server the log announces last (a restart prints a new token). Only lines that carry a
 * token or sit in Jupyter's "is running at" block count, so other URLs in a log (a pip
 * index, a dataset) are not taken for the server. Prefers loopback over the container's
 * hostname, which means nothing outside it.
 */
export function jupyterFromLog(text: string): JupyterServer | undefined {
  const lines = text.split('\n', MAX_LINES);
  let found: { s: JupyterServer; loopback: boolean; line: number } | undefined;
  let runningAt = -10;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/(Jupyter Server|Jupyter Notebook|NotebookApp|ServerApp|Jupyter\w*) .*is running at:?/.test(line)) runningAt = i;
    URL_RE.lastIndex = 0;
    for (let m = URL_RE.exec(line); m; m = URL_RE.exec(line)) {
      const inBanner = i - runningAt <= 3 || /copy and paste one of these URLs|^\s+(or\s+)?http/.test(line);
      if (!m[4] && !inBanner) continue;
      const s = server(m[2], m[3], m[4]);
      if (!s) continue;
      const loopback = /^(127\.0\.0\.1|localhost|\[::1\])$/.test(m[1]);
      // A later banner wins; within one banner, loopback beats the container's hostname.
      if (!found || i - found.line > 6 || loopback || !found.loopback) found = { s, loopback, line: i };
    }
  }
  return found?.s;
}

/**
 * `jupyter server list --json` (one JSON object a line; older `jupyter notebook list --json`
 * writes the same fields), or the plain `jupyter server list` text. The last server listed.
 */
export function jupyterFromServerList(out: string): JupyterServer | undefined {
  let last: JupyterServer | undefined;
  for (const line of out.split('\n', 1000)) {
    const t = line.trim();
    if (t.startsWith('{')) {
      try {
        const o = JSON.parse(t) as { port?: unknown; token?: unknown; base_url?: unknown; url?: unknown };
        const s = typeof o.port === 'number' ? server(String(o.port), typeof o.base_url === 'string' ? o.base_url : '/', typeof o.token === 'string' ? o.token : '') : undefined;
        if (s) last = s;
      } catch {
        // not JSON after all: a warning line
      }
      continue;
    }
    const s = jupyterFromLog(t.replace(/\s+::.*$/, ''));
    if (s) last = s;
  }
  return last;
}

/** The browser URL for a server reached at `base` ("http://localhost:49152"). */
export function jupyterUrl(s: JupyterServer, base: string): string {
  const path = s.path.startsWith('/') ? s.path : `/${s.path}`;
  return `${base.replace(/\/+$/, '')}${path}${s.token ? `?token=${encodeURIComponent(s.token)}` : ''}`;
}

/**
 * ML Workspace (`mltooling/ml-workspace`) serves Jupyter behind its one port 8080; a token
 * given in AUTHENTICATE_VIA_JUPYTER (not `true`/`false`) is the Jupyter token there.
 */
export function mlWorkspaceJupyter(env: readonly string[] | null | undefined, ports: readonly number[]): JupyterServer | undefined {
  const v = env?.find((e) => e.startsWith('AUTHENTICATE_VIA_JUPYTER='))?.slice('AUTHENTICATE_VIA_JUPYTER='.length).trim();
  if (!v || v === 'true' || v === 'false' || !ports.includes(8080)) return undefined;
  return { port: 8080, path: '/', token: v };
}
