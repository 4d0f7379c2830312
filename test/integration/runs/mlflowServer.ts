// A private `mlflow server` for one test suite: its own port, sqlite store and artifact
// root; stopped with its whole process group (uvicorn workers included).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { waitFor } from '../harness';

export interface MlflowServer {
  url: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startMlflowServer(mlflowBin: string, dir: string): Promise<MlflowServer> {
  mkdirSync(path.join(dir, 'artifacts'), { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // A file, not a pipe: the tests write with the synchronous MLflow client, and a full
  // pipe nobody reads meanwhile would stall the server on its request log.
  const logFile = path.join(dir, 'server.log');
  const fd = openSync(logFile, 'w');
  const child: ChildProcess = spawn(
    mlflowBin,
    ['server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1',
      '--backend-store-uri', `sqlite:///${path.join(dir, 'mlflow.db')}`, '--artifacts-destination', path.join(dir, 'artifacts')],
    { cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } },
  );
  closeSync(fd);
  let exited = false;
  let stopped = false;
  const gone = new Promise<void>((r) => child.on('exit', () => ((exited = true), r())));
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(-child.pid!, exited ? 'SIGKILL' : 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await gone;
    clearTimeout(killer);
    // Helpers the server started and left behind share its group.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // none left
    }
  };
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`mlflow server exited before it answered:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        return res.ok;
      } catch {
        return false;
      }
    }, 90_000, `mlflow server on ${url}/health`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}
