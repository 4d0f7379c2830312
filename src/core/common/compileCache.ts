// V8's bytecode of our bundles kept on disk between windows (Node's module compile cache,
// `module.enableCompileCache`, Node ≥ 22.1: the extension host runs Node 22 in VS Code
// desktop and 24 in code-server), so a worker thread started in a later window skips
// compiling its bundle. Feature-detected: on an older Node nothing happens. A worker of
// isolatedWorker.ts uses it when given `compileCacheDir` (the run-store worker does).
//
// Only worker threads turn it on: the cache is per thread there, while on the extension
// host's thread it would cover every other extension's modules too. Node keys each entry by the file's content, so an updated
// bundle never runs stale bytecode.

/**
 * The code of a worker (run with `eval: true`) that turns the compile cache on, loads
 * `script` (compiled after that, through the cache), and writes what was compiled anew. The script keeps its
 * own `__dirname`, `workerData` and `parentPort`.
 */
export function workerBootstrap(script: string, cacheDir: string): string {
  return [
    "const m = require('node:module');",
    `if (typeof m.enableCompileCache === 'function') { try { m.enableCompileCache(${JSON.stringify(cacheDir)}); } catch {} }`,
    `require(${JSON.stringify(script)});`,
    // Written now: a worker stopped by terminate() (idle, disposed) never writes it itself.
    "if (typeof m.flushCompileCache === 'function') { try { m.flushCompileCache(); } catch {} }",
  ].join('\n');
}
