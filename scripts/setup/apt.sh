#!/usr/bin/env bash
# Debian packages the integration and E2E tiers need. Idempotent; skips (with a reason)
# when not root, so a laptop run of `npm test` never asks for a password.
set -euo pipefail
# sqlite3: the mlflow.db benchmark compares the listing with the sqlite3 CLI (issue 21).
# debootstrap: the image with Ray (scripts/setup/ray-image.sh; no registry to pull one from).
pkgs=(docker.io busybox-static openssh-server chromium git
      libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev slurm-wlm munge
      slurmdbd mariadb-server sqlite3 debootstrap)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then echo "apt: all packages present"; exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "apt: not root, cannot install: ${missing[*]} (install them yourself for the integration/E2E tiers)"; exit 0
fi
echo "apt: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "apt: done"
