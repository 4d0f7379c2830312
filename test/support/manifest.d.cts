// Types of manifest.cjs (plain JS so the E2E scripts, which Node runs untranspiled, share it).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON: each test reads the parts it checks
type Json = any;
export declare const NLS_REF: RegExp;
export declare function readManifestFiles(dir: string): { pkg: Json; nls: Record<string, unknown> };
export declare function nlsReferences(value: unknown, path?: string): { key: string; path: string }[];
export declare function readLocalizedManifest(dir: string): Json;
