// The git questions the experiment commands ask (what Apply would overwrite, where Push and
// Pull go), apart from expCli.ts: they need simple-git, which the extension loads only on
// first use (dist/lazy/dataLib.js), while expCli's DVC runner is part of activation.
import { openGit } from './dvcExpGit';

/** Files git tracks that differ from HEAD (staged or not): what `dvc exp apply` would overwrite. */
export async function changedTrackedFiles(root: string): Promise<string[]> {
  const status = await openGit(root).status(['--untracked-files=no']);
  return status.files.map((f) => f.path);
}

/** The git remotes of the repository, by name, with their fetch URL. */
export async function gitRemotes(root: string): Promise<{ name: string; url: string }[]> {
  const remotes = await openGit(root).getRemotes(true);
  return remotes.map((r) => ({ name: r.name, url: r.refs.fetch || r.refs.push }));
}
