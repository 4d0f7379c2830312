// Code sync of the example project to a cluster's remote root, second time round (nothing
// changed): ours = syncProject over one ssh2 connection's SFTP session (walk with the
// ignore files, manifest read, size+mtime compare) vs rsync over OpenSSH (`rsync -a
// --filter=':- .gitignore'`), which a user would script. Goal: ours < 200 ms. Needs the
// ssh component of scripts/components/up.sh (with its sftp subsystem). Ours keeps its one
// connection between syncs (as the extension does); rsync opens one per run, as a script would.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/cjs/api';
import { root } from '../scripts/lib.mjs';
import { atMost, faster, notMeasured, result } from './lib/verdict.mjs';

const ROUNDS = 20;
const state = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';
const componentsFile = join(state, 'components.json');
const components = existsSync(componentsFile) ? JSON.parse(readFileSync(componentsFile, 'utf8')) : {};
const { ssh } = components;
if (!ssh) {
  notMeasured('jobs-sync', `no ssh component in ${componentsFile}; run bash scripts/components/up.sh as root`);
  process.exit(1);
}

register();
const require = createRequire(import.meta.url);
const { SshHostConnection, knownHostsFile } = require(join(root, 'src/core/hosts/hostConnection.ts'));
const { syncProject } = require(join(root, 'src/core/jobs/sync/codeSync.ts'));
const { sftpRemoteFs } = require(join(root, 'src/core/jobs/sync/remoteFs.ts'));

// The example project as its own git repository, without generated outputs.
const local = mkdtempSync(join(tmpdir(), 'mlops-sync-bench-'));
cpSync(join(root, 'examples'), local, { recursive: true, filter: (src) => !/\/(mlflow\.db|mlruns|data|models|dvclive|__pycache__|cache|tmp)$/.test(src) });
spawnSync('git', ['init', '-q', local]);
const remoteBase = `${state}/sync-bench/${process.pid}`;
const ours = `${remoteBase}/ours`;
const theirs = `${remoteBase}/rsync`;

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const conn = new SshHostConnection({
  host: ssh.host,
  port: ssh.port,
  username: ssh.username,
  privateKey: readFileSync(ssh.privateKeyPath),
  hostKeys: knownHostsFile(ssh.knownHostsPath, async () => false),
});
const sshCmd = `ssh -i ${ssh.privateKeyPath} -o UserKnownHostsFile=${ssh.knownHostsPath} -o StrictHostKeyChecking=yes -o BatchMode=yes -F /dev/null -p ${ssh.port}`;
const rsync = () => {
  const r = spawnSync('rsync', ['-a', '--filter=:- .gitignore', '--filter=:- .dvcignore', '--exclude=.git', '-e', sshCmd, `${local}/`, `${ssh.username}@${ssh.host}:${theirs}/`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rsync failed (${r.status}): ${r.stderr}`);
};
try {
  const fs = sftpRemoteFs(await conn.sftp());
  const first = await syncProject({ localRoot: local, remoteRoot: ours, fs, createRoot: true });
  console.log(`first sync: ${first.uploaded.length} files, ${first.bytes} bytes in ${first.ms} ms`);
  /** @type {number[]} */
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const r = await syncProject({ localRoot: local, remoteRoot: ours, fs });
    times.push(performance.now() - t0);
    if (r.uploaded.length) throw new Error(`an unchanged project sent ${r.uploaded.join(', ')}`);
  }
  fs.close();
  const peerTimes = [];
  const hasRsync = spawnSync('rsync', ['--version']).status === 0;
  if (hasRsync) {
    spawnSync('ssh', [...sshCmd.split(' ').slice(1), `${ssh.username}@${ssh.host}`, `mkdir -p ${theirs}`]);
    rsync();
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      rsync();
      peerTimes.push(performance.now() - t0);
    }
  }
  const o = median(times);
  console.log(`ours: second sync median ${o.toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms over ${ROUNDS}`);
  if (hasRsync) {
    const p = median(peerTimes);
    console.log(`rsync over OpenSSH: median ${p.toFixed(0)} ms`);
    result('jobs-sync: second sync of the unchanged example project', `ours ${o.toFixed(0)} ms vs rsync over ssh ${p.toFixed(0)} ms (${(p / o).toFixed(1)}×; rsync includes its own connect)`, [atMost('ours', o, 200, ' ms'), faster(p / o, 1, 'vs rsync')]);
  } else {
    result('jobs-sync: second sync of the unchanged example project', `ours ${o.toFixed(0)} ms; rsync not installed, no peer figure`, [atMost('ours', o, 200, ' ms')]);
  }
} finally {
  conn.dispose();
  rmSync(local, { recursive: true, force: true });
  spawnSync('rm', ['-rf', remoteBase]);
}
