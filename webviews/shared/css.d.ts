// esbuild bundles imported CSS into dist/webviews/<app>.css; for tsc it is only a side effect.
declare module '*.css';
