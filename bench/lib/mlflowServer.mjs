// `mlflow server` for the benches that race a tracking server (models, experiments-table,
// runs-server-search): one way to pick a free loopback port, start it in its own process
// group, wait for /health, and stop the whole group (uvicorn's workers too, which a plain
// kill of `mlflow` would leave running and holding the port and the cores). The options a
// bench serves with stay in that bench, as arguments: they are part of what it measures
// (one worker, as most benches serve; or MLflow's defaults, as a user starts it).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** @returns {Promise<number>} a port free on 127.0.0.1 at the time of asking */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {object} MlflowServer
 * @property {string} url   http://127.0.0.1:<port>
 * @property {number} pid   of `mlflow server` (the leader of its process group)
 * @property {() => void} stop  SIGTERM to the group, SIGKILL if it is still there after 3 s; safe to call twice
 * @property {() => string} serving  what serves (uvicorn, gunicorn…, with its worker count) as ps shows it
 * @property {() => number} cpuMs  CPU time (user + system) of every process of the server so far, in ms (10 ms steps)
 */

/**
 * Starts `mlflow server --host 127.0.0.1 --port <free> --backend-store-uri <uri> ...args`.
 * @param {object} o
 * @param {string} o.mlflow  the `mlflow` executable
 * @param {string} o.backendStoreUri  e.g. sqlite:///<db>
 * @param {string[]} o.args  the bench's own options, explicit: [] serves with MLflow's defaults
 * @param {string} o.log  file the server's stdout and stderr go to (named in the error when it does not start)
 * @param {string} [o.cwd]
 * @param {NodeJS.ProcessEnv} [o.env]
 * @param {number} [o.timeoutMs]  how long to wait for /health (default 120 s: the first start imports and migrates)
 * @returns {Promise<MlflowServer>}
 */
export async function startMlflowServer(o) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(o.log, 'w');
  const child = spawn(o.mlflow, ['server', '--host', '127.0.0.1', '--port', String(port), '--backend-store-uri', o.backendStoreUri, ...o.args], {
    cwd: o.cwd,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', ...(o.env ?? process.env) },
  });
  closeSync(fd);
  const pid = child.pid ?? 0;
  let stopped = false;
  const signal = (/** @type {NodeJS.Signals} */ sig) => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false; // gone already
    }
  };
  const stop = () => {
    if (stopped || !pid) return;
    stopped = true;
    process.off('exit', stop);
    if (!signal('SIGTERM')) return;
    // Not awaited: the bench may be exiting; a group still there after 3 s is killed.
    setTimeout(() => signal('SIGKILL'), 3000).unref();
  };
  process.on('exit', stop);
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  for (;;) {
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`mlflow server did not answer on ${url} (${child.exitCode !== null ? `exited with ${child.exitCode}` : 'timed out'}; see ${o.log})`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, pid, stop, serving: () => serving(pid), cpuMs: () => groupCpuMs(pid) };
}

/** @param {number} pid */
function serving(pid) {
  try {
    const lines = execFileSync('ps', ['-o', 'args=', '--ppid', String(pid)], { encoding: 'utf8' }).trim().split('\n');
    const line = lines.find((l) => /uvicorn|gunicorn|waitress/.test(l)) ?? lines[0] ?? '';
    const name = /uvicorn|gunicorn|waitress/.exec(line)?.[0] ?? 'unknown server';
    const workers = /--workers[ =](\d+)|-w (\d+)/.exec(line);
    return `${name}, ${workers ? `${workers[1] ?? workers[2]} workers` : 'its default workers'}`;
  } catch {
    return 'unknown (ps failed)';
  }
}

/**
 * CPU ms of the processes in group `pgid` (the server was started detached, so its workers are
 * in its group), from /proc/<pid>/stat: what a request cost the server whatever the wall clock
 * says on a loaded machine.
 * @param {number} pgid
 */
function groupCpuMs(pgid) {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp ... utime(14) stime(15).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}
