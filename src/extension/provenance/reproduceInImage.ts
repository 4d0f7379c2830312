// Reproduce Run in the run's recorded image: the host is picked among every host with an
// engine (this machine's, and the SSH hosts of mlops.hosts / ~/.ssh/config), hosts with the
// recorded GPU model first; another model is a modal warning naming both. A local engine
// mounts the worktree at the same path; an SSH host gets a copy of it (code sync) in a
// folder of its own under mlops.reproduce.remoteFolder. A digest gone from the host is a
// question (pull by digest, use the tag, or cancel): nothing is pulled unasked.
import * as vscode from 'vscode';
import { errorMessage, isActionableError } from '../../core/common/errors';
import { placeGpus, type HostGpuSnapshot } from '../../core/hosts/gpuPlacement';
import { gpuSnapshot } from '../../core/hosts/workspaces';
import { containerImage } from '../../core/provenance/containerRunner';
import { findRecordedImage, imagePresent, imageProblem, pullImage, startReproContainer } from '../../core/provenance/reproduceContainer';
import type { ImageRun, InImageHook } from '../../core/provenance/reproduceFlow';
import { startRemoteRepro } from '../../core/provenance/reproduceRemote';
import type { HostConnection } from '../../core/hosts/hostConnection';
import { sftpRemoteFs } from '../../core/jobs/sync/remoteFs';
import { plural } from '../../core/common/format';
import { gpuMismatchWarning, imageDecision, rankHostsForGpu, recordedGpuNames, recordedHostFirst, type HostChoice } from '../../core/provenance/reproduceTarget';
import { setting } from '../settings';
import { showWarning } from '../notify';
import type { HostEntry, HostRegistry } from '../workspaces/hosts';

/** How many GPUs the recorded model string names ("2× NVIDIA A100" → 2). */
const recordedCount = (model: string | undefined) => Number(/^(\d+)×/.exec(model ?? '')?.[1] ?? 1);

async function snapshot(registry: HostRegistry, host: HostEntry): Promise<HostGpuSnapshot> {
  try {
    return await gpuSnapshot(host.name, await registry.ensureConnected(host), 15000);
  } catch (err) {
    return { host: host.name, probe: { kind: 'unreachable', message: errorMessage(err) } };
  }
}

async function pickHost(choices: HostChoice[], gpu: string | undefined): Promise<HostChoice | undefined> {
  if (choices.length === 1) return choices[0];
  const items = choices.map((c) => ({
    label: c.host,
    description: c.problem ? vscode.l10n.t('not reachable') : c.models.length ? c.models.join(', ') : vscode.l10n.t('no GPU'),
    detail: recordedGpuNames(gpu).length ? (c.matches ? vscode.l10n.t('has the recorded GPU ({0})', gpu ?? '') : vscode.l10n.t('not the recorded GPU ({0})', gpu ?? '')) : undefined,
    c,
  }));
  return (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Host to reproduce on (hosts with the recorded GPU first)') }))?.c;
}

/** The hook reproduceRun calls; throws CancellationError when the user cancels a question. */
export function inImageHook(registry: HostRegistry, log: vscode.LogOutputChannel, runId: string): InImageHook {
  return async (image, mounts, gpu, worktree) => {
    const hosts = await registry.hosts();
    const snaps = await Promise.all(hosts.map((h) => snapshot(registry, h)));
    const reachable = recordedHostFirst(rankHostsForGpu(gpu, snaps), worktree.recordedHost).filter((c) => !c.problem);
    if (!reachable.length) {
      const why = snaps.map((s) => (s.probe.kind === 'unreachable' ? `${s.host}: ${s.probe.message}` : s.host)).join('; ') || vscode.l10n.t('no Docker host is configured');
      const here = vscode.l10n.t('Run Here');
      const pick = await showWarning(vscode.l10n.t('the run was recorded in the image {0}, but no Docker engine can be reached ({1}). Run the reproduction here, outside the image?', image.name, why), { modal: true }, here);
      if (pick !== here) throw new vscode.CancellationError();
      return undefined;
    }
    const choice = await pickHost(reachable, gpu);
    if (!choice) throw new vscode.CancellationError();
    const warning = gpuMismatchWarning(gpu, choice);
    if (warning) {
      const anyway = vscode.l10n.t('Run There Anyway');
      if ((await showWarning(warning, { modal: true }, anyway)) !== anyway) throw new vscode.CancellationError();
    }
    const host = hosts.find((h) => h.name === choice.host)!;
    const conn = await registry.ensureConnected(host);

    let ref = await findRecordedImage(conn, image);
    if (!ref) {
      const tagThere = await imagePresent(conn, image.name);
      const decision = imageDecision(image, host.name, false, tagThere);
      if (decision.kind === 'ask') {
        const pullDigest = vscode.l10n.t('Pull by Digest');
        const useTag = vscode.l10n.t('Use the Tag');
        const pick = await showWarning(
          `${decision.message} ${tagThere ? vscode.l10n.t('Pull {0} (exactly the recorded image), or run in {1} as it is on the host now?', decision.pullRef, decision.tagRef) : vscode.l10n.t('Pull {0} (exactly the recorded image)?', decision.pullRef)}`,
          { modal: true },
          pullDigest,
          ...(tagThere ? [useTag] : []),
        );
        if (pick === pullDigest) {
          await vscode.window
            .withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: pulling {0}', decision.pullRef) }, (progress) => pullImage(conn, decision.pullRef, (s) => progress.report({ message: s })))
            .then(undefined, (err: unknown) => {
              throw new Error(imageProblem(err, host.name));
            });
          ref = decision.pullRef;
        } else if (pick === useTag) ref = decision.tagRef;
        else throw new vscode.CancellationError();
      }
    }

    let deviceIds: string[] | undefined;
    const snap = snaps.find((s) => s.host === host.name);
    const names = recordedGpuNames(gpu);
    if (snap?.probe.kind === 'gpus' && names.length) {
      const placed = placeGpus([snap], { count: recordedCount(gpu), type: choice.matches ? names[0] : undefined }, { freeMemoryMiB: setting('gpus.freeMemoryMiB') });
      if ('host' in placed) deviceIds = placed.deviceIds;
      else log.warn(`Reproduce: no free GPUs on ${host.name} (${placed.reasons.map((r) => r.reason).join('; ')}); the container runs without GPUs.`);
    }
    if (!ref) throw new vscode.CancellationError();
    if (host.kind === 'ssh') return onSshHost(conn, host.name, ref, deviceIds, worktree, runId, log);
    const container = await startReproContainer(conn, { ref, mounts, deviceIds }).catch((err: unknown) => {
      throw new Error(imageProblem(err, host.name));
    });
    log.info(`Reproduce: in ${ref} on ${host.name}${deviceIds ? `, GPUs ${deviceIds.join(',')}` : ''} (container ${container.id.slice(0, 12)})`);
    const ran = (await containerImage(conn, container.id)) ?? { name: ref, digest: ref };
    return { container, host: host.name, image: ran };
  };
}

/** The reproduction folder on the host: the setting, `~` as the remote user's home. */
async function remoteBase(conn: HostConnection, host: string): Promise<string> {
  const set = setting('reproduce.remoteFolder').trim() || '~/.cache/mlops-workbench/reproduce';
  if (set !== '~' && !set.startsWith('~/')) return set;
  const home = (await conn.exec(['printenv', 'HOME'])).stdout.trim();
  if (!home.startsWith('/')) throw new Error(vscode.l10n.t('{0} did not say where its home folder is; set mlops.reproduce.remoteFolder to an absolute folder there.', host));
  return `${home}${set.slice(1)}`;
}

/** The worktree copied to the SSH host (code sync), and a container there with the copy mounted. */
async function onSshHost(conn: HostConnection, host: string, ref: string, deviceIds: string[] | undefined, worktree: { dir: string; include: string[] }, runId: string, log: vscode.LogOutputChannel): Promise<ImageRun> {
  if (!conn.sftp) throw new Error(vscode.l10n.t('{0} has no SFTP session, so the worktree cannot be copied there.', host));
  const base = await remoteBase(conn, host);
  const fs = sftpRemoteFs(await conn.sftp());
  try {
    const run = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: copying the worktree to {0}', host), cancellable: true }, (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return startRemoteRepro({ conn, fs, host, remoteBase: base, worktree: worktree.dir, include: worktree.include, ref, deviceIds, runId, signal: abort.signal, onProgress: (done, total, rel) => progress.report({ message: `${done}/${total} ${rel}` }) });
    });
    const s = run.site.sync;
    log.info(`Reproduce: ${worktree.dir} → ${host}:${run.site.remoteDir}: ${plural(s.uploaded.length, 'file')} sent (${s.bytes} bytes), ${s.unchanged} unchanged; in ${ref}${deviceIds ? `, GPUs ${deviceIds.join(',')}` : ''} (container ${run.container.id.slice(0, 12)})`);
    const skipped = s.skipped.filter((k) => k.why !== 'symlink');
    if (skipped.length || s.truncated) log.warn(`Reproduce: not copied to ${host} (too large, past the limits, or not regular files): ${skipped.slice(0, 10).map((k) => k.rel).join(', ')}`);
    const remove = run.container.remove;
    // The SFTP session stays open for the results, and ends with the container.
    return { ...run, container: { ...run.container, remove: async () => (await remove(), fs.close()) } };
  } catch (err) {
    fs.close();
    if (err instanceof Error && err.name === 'AbortError') throw new vscode.CancellationError();
    // Code sync says what to do itself; the rest is the engine's.
    throw isActionableError(err) ? err : new Error(imageProblem(err, host));
  }
}
