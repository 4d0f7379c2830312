// Text of the Data view (labels, descriptions, tooltips) and its path tree, without
// 'vscode', so it is tested in plain Node.
import { formatBytes, plural } from '../../core/common/format';
import type { Artifact } from '../../core/data/artifacts';
import type { ArtifactState, ArtifactStateKind } from '../../core/data/artifactState';
import type { VersionComparison } from '../../core/data/compareVersions';
import type { ArtifactVersion } from '../../core/data/versionHistory';

export const STATE_LABEL: Record<ArtifactStateKind, string> = {
  'in-sync': 'in sync',
  modified: 'modified',
  missing: 'not in workspace',
  'not-cached': 'not in cache',
  'not-pushed': 'not pushed',
};

export function artifactDescription(a: Artifact, state?: ArtifactState): string {
  const parts = [formatBytes(a.size)];
  if (a.isDir && a.nfiles !== undefined) parts.push(plural(a.nfiles, 'file'));
  if (state) parts.push(STATE_LABEL[state.kind]);
  return parts.filter(Boolean).join(' · ');
}

const mdEscape = (s: string) => s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);

export function artifactTooltip(a: Artifact, state?: ArtifactState, error?: string): string {
  const lines = [`**${mdEscape(a.path)}**`, ''];
  lines.push(`Tracked by \`${a.source.file}\`${a.source.kind === 'dvc-lock' ? ` (stage \`${a.source.stage}\`)` : ''}`, '');
  lines.push(`Hash \`${a.md5}\` · ${formatBytes(a.size) || 'size unknown'}${a.isDir && a.nfiles !== undefined ? ` · ${plural(a.nfiles, 'file')}` : ''}`, '');
  if (state) {
    const ws = state.workspace === 'same' ? 'matches the recorded version' : state.workspace === 'modified' ? `**modified** (now \`${state.workspaceMd5}\`, ${formatBytes(state.workspaceSize)})` : '**missing** — run `dvc checkout` or `dvc pull`';
    lines.push(`- Workspace: ${ws}`);
    lines.push(`- Local cache: ${state.cached ? 'has it' : `**missing ${plural(state.missingInCache, 'object')}** — run \`dvc fetch\` or \`dvc pull\``}`);
    if (state.remote) lines.push(`- Remote \`${state.remote}\`: ${state.pushed === undefined ? 'not checked' : state.pushed ? 'has it' : '**not pushed** — run MLOps: Push Data'}`);
    else lines.push('- Remote: none configured (`dvc remote add -d NAME URL`)');
  }
  if (error) lines.push('', `⚠ ${error}`);
  return lines.join('\n');
}

export function shortDate(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const days = Math.floor((now - t) / 86400000);
  if (days < 1) return new Date(t).toISOString().slice(11, 16);
  if (days < 30) return plural(days, 'day') + ' ago';
  return new Date(t).toISOString().slice(0, 10);
}

/** Branch and tag names of a version, e.g. "main, release/0.1". */
export function versionRefs(v: ArtifactVersion): string {
  return [...(v.head ? ['HEAD'] : []), ...v.branches, ...v.tags.map((t) => `tag ${t}`)].join(', ');
}

export function versionDescription(v: ArtifactVersion, now = Date.now()): string {
  return [v.commit.slice(0, 7), versionRefs(v), formatBytes(v.size), shortDate(v.date, now)].filter(Boolean).join(' · ');
}

export function formatMetric(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toPrecision(4) : String(Number(v.toFixed(4)));
}

export function versionTooltip(a: Artifact, v: ArtifactVersion): string {
  const lines = [
    `**${mdEscape(v.subject)}**`,
    '',
    `\`${v.commit.slice(0, 10)}\` by ${mdEscape(v.author)}, ${v.date.replace('T', ' ').slice(0, 16)}`,
    '',
    `${mdEscape(a.path)}: \`${v.md5}\` · ${formatBytes(v.size) || 'size unknown'}${v.nfiles !== undefined ? ` · ${plural(v.nfiles, 'file')}` : ''}`,
  ];
  if (v.branches.length || v.tags.length) lines.push('', `Recorded by ${[...v.branches.map((b) => `branch \`${b}\``), ...v.tags.map((t) => `tag \`${t}\``)].join(', ')}`);
  const rows = Object.entries(v.metrics).flatMap(([file, m]) => Object.entries(m).map(([k, val]) => `| ${mdEscape(file)} | ${mdEscape(k)} | ${formatMetric(val)} |`));
  if (rows.length) lines.push('', '| file | metric | value |', '|---|---|---:|', ...rows);
  return lines.join('\n');
}

/** Markdown report of a comparison, opened as a preview. */
export function comparisonMarkdown(path: string, a: ArtifactVersion, b: ArtifactVersion, c: VersionComparison): string {
  const name = (v: ArtifactVersion) => `${v.commit.slice(0, 7)} (${v.subject})`;
  const lines = [`# ${path}: ${name(a)} → ${name(b)}`, ''];
  const delta = c.sizeBefore !== undefined && c.sizeAfter !== undefined ? c.sizeAfter - c.sizeBefore : undefined;
  lines.push(`- Size: ${formatBytes(c.sizeBefore) || '?'} → ${formatBytes(c.sizeAfter) || '?'}${delta !== undefined ? ` (${delta >= 0 ? '+' : '−'}${formatBytes(Math.abs(delta))})` : ''}`);
  if (c.nfilesBefore !== undefined || c.nfilesAfter !== undefined) lines.push(`- Files: ${c.nfilesBefore ?? '?'} → ${c.nfilesAfter ?? '?'}`);
  lines.push(`- Hash: \`${a.md5}\` → \`${b.md5}\``);
  if (c.files) {
    lines.push('', `## Files: ${c.files.added.length} added, ${c.files.removed.length} removed, ${c.files.changed.length} changed, ${c.files.unchanged} unchanged`);
    const list = (title: string, l: string[]) => l.length && lines.push('', `### ${title}`, '', ...l.slice(0, 500).map((f) => `- \`${f}\``), ...(l.length > 500 ? [`- … ${l.length - 500} more`] : []));
    list('Added', c.files.added);
    list('Removed', c.files.removed);
    list('Changed', c.files.changed);
  }
  lines.push('', '## Metrics');
  if (!c.metrics.length) lines.push('', 'No metric changed between these commits.');
  else {
    lines.push('', '| file | metric | before | after | change |', '|---|---|---:|---:|---:|');
    for (const m of c.metrics) {
      const f = (v?: number) => (v === undefined ? '—' : formatMetric(v));
      lines.push(`| ${m.file} | ${m.key} | ${f(m.before)} | ${f(m.after)} | ${m.delta === undefined ? '' : (m.delta >= 0 ? '+' : '') + formatMetric(m.delta)} |`);
    }
  }
  return lines.join('\n') + '\n';
}

export interface PathFolder {
  name: string;
  /** Posix path of the folder. */
  path: string;
  folders: PathFolder[];
  artifacts: Artifact[];
}

/** Artifacts as a tree of folders; a folder holding only one folder is merged with it ("data/raw"). */
export function pathTree(artifacts: Artifact[]): PathFolder {
  const root: PathFolder = { name: '', path: '', folders: [], artifacts: [] };
  for (const a of artifacts) {
    const parts = a.path.split('/');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const p = node.path ? `${node.path}/${part}` : part;
      let next = node.folders.find((f) => f.path === p);
      if (!next) node.folders.push((next = { name: part, path: p, folders: [], artifacts: [] }));
      node = next;
    }
    node.artifacts.push(a);
  }
  const compact = (f: PathFolder): PathFolder => {
    f.folders = f.folders.map(compact);
    if (f !== root && f.folders.length === 1 && !f.artifacts.length) {
      const only = f.folders[0];
      return { ...only, name: `${f.name}/${only.name}` };
    }
    return f;
  };
  return compact(root);
}

/** A directory's manifest paths as a tree (one level at a time). */
export function manifestChildren(relpaths: string[], prefix: string): { dirs: string[]; files: string[] } {
  const dirs = new Set<string>();
  const files: string[] = [];
  const start = prefix ? `${prefix}/` : '';
  for (const r of relpaths) {
    if (!r.startsWith(start)) continue;
    const rest = r.slice(start.length);
    const slash = rest.indexOf('/');
    if (slash < 0) files.push(rest);
    else dirs.add(rest.slice(0, slash));
  }
  return { dirs: [...dirs].sort(), files: files.sort() };
}
