// package.json as VS Code shows it: every "%key%" string replaced by its text from
// package.nls.json (the English default of VS Code's manifest localization). Tests and the
// E2E checks compare what a user sees, so they read the manifest through this. CommonJS,
// so both the TypeScript tests (compiled to require) and the .mjs E2E scripts can load it.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** A whole-string `%key%` reference, as VS Code matches it (word characters, dots, dashes). */
const NLS_REF = /^%([\w.-]+)%$/;

/**
 * package.json and package.nls.json of the extension in `dir`, as parsed JSON.
 * @param {string} dir
 * @returns {{ pkg: any, nls: Record<string, unknown> }}
 */
function readManifestFiles(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const nlsPath = join(dir, 'package.nls.json');
  const nls = existsSync(nlsPath) ? JSON.parse(readFileSync(nlsPath, 'utf8')) : {};
  return { pkg, nls };
}

/**
 * Every "%key%" string in `value`, with where it stands (e.g. `contributes.commands.3.title`).
 * @param {unknown} value
 * @param {string} [path]
 * @returns {{ key: string, path: string }[]}
 */
function nlsReferences(value, path = '') {
  if (typeof value === 'string') {
    const m = NLS_REF.exec(value);
    return m ? [{ key: m[1], path }] : [];
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => nlsReferences(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/**
 * @param {unknown} value
 * @param {Record<string, unknown>} nls
 * @returns {any}
 */
function localize(value, nls) {
  if (typeof value === 'string') {
    const m = NLS_REF.exec(value);
    if (!m) return value;
    const text = nls[m[1]];
    // VS Code would show the raw "%key%"; a test should say which key is missing.
    if (typeof text !== 'string') throw new Error(`package.json refers to %${m[1]}%, which package.nls.json lacks`);
    return text;
  }
  if (Array.isArray(value)) return value.map((v) => localize(v, nls));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localize(v, nls)]));
  return value;
}

/**
 * The manifest of the extension in `dir` with every "%key%" resolved (throws on a missing key).
 * @param {string} dir
 * @returns {any}
 */
function readLocalizedManifest(dir) {
  const { pkg, nls } = readManifestFiles(dir);
  return localize(pkg, nls);
}

module.exports = { NLS_REF, readManifestFiles, nlsReferences, readLocalizedManifest };
