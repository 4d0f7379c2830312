// What code sync wrote to the cluster last time, kept beside the files in the remote root
// (`.mlops-sync.json`): per file the local size and mtime it had then and its SHA-256.
// A file whose size and mtime still match is not read again; one whose hash still matches
// is not sent again. The manifest is also the list of the only remote files sync may ever
// delete. It is read from the cluster, so it is checked like any untrusted input.

export const MANIFEST_NAME = '.mlops-sync.json';
/** Uploads land here first and are renamed into place; whatever is here at the start of a sync is a leftover. */
export const TEMP_DIR_NAME = '.mlops-sync.tmp';
export const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;

export interface ManifestEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface Manifest {
  version: 1;
  files: Record<string, ManifestEntry>;
}

export const emptyManifest = (): Manifest => ({ version: 1, files: Object.create(null) as Record<string, ManifestEntry> });

/** A relative path sync may write: no `..`, no absolute path, no empty or `.` segment, no control characters. */
export function safeRel(rel: string): boolean {
  if (!rel || rel.length > 4096 || rel.startsWith('/') || /[\p{Cc}\\]/u.test(rel)) return false;
  return rel.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Unreadable or foreign content gives an empty manifest (everything is sent again) and says why. */
export function parseManifest(text: string, warn: (message: string) => void): Manifest {
  const out = emptyManifest();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    warn(`${MANIFEST_NAME} on the cluster is not JSON; every file is sent again`);
    return out;
  }
  const files = (data as { version?: unknown; files?: unknown } | null)?.files;
  if ((data as { version?: unknown } | null)?.version !== 1 || typeof files !== 'object' || files === null || Array.isArray(files)) {
    warn(`${MANIFEST_NAME} on the cluster is not one this version writes; every file is sent again`);
    return out;
  }
  let dropped = 0;
  for (const [rel, e] of Object.entries(files as Record<string, unknown>)) {
    const entry = e as Partial<ManifestEntry> | null;
    if (!safeRel(rel) || !entry || !isCount(entry.size) || !isCount(entry.mtimeMs) || typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) {
      dropped++;
      continue;
    }
    out.files[rel] = { size: entry.size, mtimeMs: entry.mtimeMs, sha256: entry.sha256 };
  }
  if (dropped) warn(`${dropped} entries of ${MANIFEST_NAME} were malformed and are ignored (those files are sent again, and never deleted)`);
  return out;
}

export function serializeManifest(m: Manifest): string {
  const files: Record<string, ManifestEntry> = {};
  for (const rel of Object.keys(m.files).sort()) files[rel] = m.files[rel];
  return `${JSON.stringify({ version: 1, tool: 'mlops-workbench', files })}\n`;
}
