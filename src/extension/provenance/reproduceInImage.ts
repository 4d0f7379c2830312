// Reproduce Run in the run's recorded image: the host is picked among those whose engine
// sees this machine's files (the worktree is bind-mounted at the same path), hosts with the
// recorded GPU model first; another model is a modal warning naming both. A digest gone
// from the host is a question (pull by digest, use the tag, or cancel): nothing is pulled
// unasked.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { placeGpus, type HostGpuSnapshot } from '../../core/hosts/gpuPlacement';
import { gpuSnapshot } from '../../core/hosts/workspaces';
import { containerImage } from '../../core/provenance/containerRunner';
import { findRecordedImage, imagePresent, imageProblem, pullImage, startReproContainer } from '../../core/provenance/reproduceContainer';
import type { ImageRun } from '../../core/provenance/reproduceFlow';
import { gpuMismatchWarning, imageDecision, rankHostsForGpu, recordedGpuNames, type HostChoice } from '../../core/provenance/reproduceTarget';
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
export function inImageHook(registry: HostRegistry, log: vscode.LogOutputChannel): (image: { name: string; digest: string }, mounts: string[], gpu: string | undefined) => Promise<ImageRun | undefined> {
  return async (image, mounts, gpu) => {
    // The worktree is a folder on this machine: only an engine here can mount it.
    const hosts = (await registry.hosts()).filter((h) => h.kind === 'local');
    const snaps = await Promise.all(hosts.map((h) => snapshot(registry, h)));
    const reachable = rankHostsForGpu(gpu, snaps).filter((c) => !c.problem);
    if (!reachable.length) {
      const why = snaps.map((s) => (s.probe.kind === 'unreachable' ? `${s.host}: ${s.probe.message}` : s.host)).join('; ') || vscode.l10n.t('no local Docker host is configured');
      const here = vscode.l10n.t('Run Here');
      const pick = await showWarning(vscode.l10n.t('the run was recorded in the image {0}, but no Docker engine on this machine can be reached ({1}). Run the reproduction here, outside the image?', image.name, why), { modal: true }, here);
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
    const container = await startReproContainer(conn, { ref, mounts, deviceIds }).catch((err: unknown) => {
      throw new Error(imageProblem(err, host.name));
    });
    log.info(`Reproduce: in ${ref} on ${host.name}${deviceIds ? `, GPUs ${deviceIds.join(',')}` : ''} (container ${container.id.slice(0, 12)})`);
    const ran = (await containerImage(conn, container.id)) ?? { name: ref, digest: ref };
    return { container, host: host.name, image: ran };
  };
}
