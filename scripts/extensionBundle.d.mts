// Types of extensionBundle.mjs (plain JS so that esbuild.mjs runs with bare Node).
import type { BuildOptions, Plugin } from 'esbuild';
export declare const LAZY_PACKAGES: Record<string, string>;
export declare const lazyPackagesPlugin: Plugin;
export declare const NATIVE_OPTIONAL: string[];
export declare const extensionBundle: BuildOptions & { entryPoints: { extension: string } };
