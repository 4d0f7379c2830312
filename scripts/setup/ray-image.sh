#!/usr/bin/env bash
# An image with Ray for the "Start Ray Cluster on Hosts" test (local/ray:<version>, the Ray of
# ray-requirements.txt), since this machine has no registry to pull rayproject/ray from:
#   1. a Debian bookworm rootfs (debootstrap, minbase) with python3, and a venv /opt/ray with
#      Ray installed by pip inside it (chroot);
#   2. that rootfs as a tarball in the cache outside the repo ($cache/ray-image-<ver>-<key>.tar,
#      key = hash of the requirements and of `recipe` below), built once (a few minutes, ~550 MB);
#   3. imported into the test engine (scripts/components/up.sh's socket) when it answers and
#      does not already hold this build (the image's mlops.ray-image label is the key).
# Run after up.sh (it needs the engine for step 3). Needs root and debootstrap for steps 1-2;
# without them it says why and exits 0 (the test that needs the image skips, or fails in CI).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
req="$root/scripts/setup/ray-requirements.txt"
ver=$(sed -n 's/^ray\[default\]==\([0-9][0-9.]*\).*/\1/p' "$req")
[ -n "$ver" ] || { echo "ray-image: no ray[default]==<version> line in $req" >&2; exit 1; }
# Raise it when the build below changes what goes into the image (a comment edit does not).
recipe=1
key=$( (cat "$req"; echo "recipe $recipe") | sha256sum | cut -c1-12)
tarball="$cache/ray-image-$ver-$key.tar"
image="local/ray:$ver"
sock="${MLOPS_TEST_STATE:-/tmp/mlops-test}/docker.sock"
mirror=${MLOPS_DEBIAN_MIRROR:-http://deb.debian.org/debian}

build() {
  local work="$cache/ray-image-build" rootfs start
  rootfs="$work/rootfs"
  start=$(date +%s)
  # A debootstrap cut short leaves no marker and is started over; one that finished is reused.
  if [ ! -f "$work/.debootstrap-done" ]; then
    echo "ray-image: debootstrap bookworm into $rootfs (a few minutes)"
    rm -rf "$work"; mkdir -p "$work"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates,procps \
      bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { echo "ray-image: debootstrap failed: $(tail -n 3 "$work/debootstrap.log")" >&2; exit 1; }
    touch "$work/.debootstrap-done"
  fi
  echo "ray-image: installing Ray $ver into $rootfs/opt/ray (pip, in a chroot)"
  cp "$req" "$rootfs/tmp/ray-requirements.txt"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  # The host's CA bundle: where PyPI is reached through an intercepting proxy, Debian's own
  # bundle in the rootfs would not trust it.
  local cert=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
  cp "$cert" "$rootfs/tmp/host-ca.crt"
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT="${PIP_DEFAULT_TIMEOUT:-180}" PIP_CERT=/tmp/host-ca.crt \
    ${HTTPS_PROXY:+HTTPS_PROXY=$HTTPS_PROXY} ${https_proxy:+https_proxy=$https_proxy} \
    sh -euc 'rm -rf /opt/ray; python3 -m venv /opt/ray; /opt/ray/bin/pip install -q --no-cache-dir -r /tmp/ray-requirements.txt'
  # What the image must not carry: the host's resolver and CA bundle, apt's downloads.
  rm -f "$rootfs/tmp/ray-requirements.txt" "$rootfs/tmp/host-ca.crt"
  : >"$rootfs/etc/resolv.conf"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar --numeric-owner -C "$rootfs" -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  rm -rf "$work"
  echo "ray-image: $tarball built in $(( $(date +%s) - start )) s ($(du -h "$tarball" | cut -f1))"
}

if [ -f "$tarball" ]; then
  echo "ray-image: cached at $tarball"
elif [ "$(id -u)" != 0 ]; then
  echo "ray-image: not root, cannot debootstrap/chroot; skipping (the Ray-on-hosts test will skip)"; exit 0
elif ! command -v debootstrap >/dev/null; then
  echo "ray-image: no debootstrap (apt-get install debootstrap); skipping (the Ray-on-hosts test will skip)"; exit 0
else
  mkdir -p "$cache"
  rm -f "$cache"/ray-image-*.tar "$cache"/ray-image-*.tar.part   # an older build's tarball
  build
fi

if ! docker -H "unix://$sock" info >/dev/null 2>&1; then
  echo "ray-image: no engine on $sock (run scripts/components/up.sh first); the image is not imported"; exit 0
fi
have=$(docker -H "unix://$sock" image inspect -f '{{index .Config.Labels "mlops.ray-image"}}' "$image" 2>/dev/null || true)
if [ "$have" = "$key" ]; then echo "ray-image: $image present"; exit 0; fi
echo "ray-image: importing $image"
old=$(docker -H "unix://$sock" image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
docker -H "unix://$sock" import \
  --change "ENV PATH=/opt/ray/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV RAY_USAGE_STATS_ENABLED=0" --change "ENV LANG=C.UTF-8" \
  --change "LABEL mlops.ray-image=$key" --change "WORKDIR /root" \
  "$tarball" "$image" >/dev/null
# The build it replaces, untagged now (kept where a container still uses it).
[ -n "$old" ] && docker -H "unix://$sock" image rm "$old" >/dev/null 2>&1 || true
echo "ray-image: $image ($(docker -H "unix://$sock" run --rm "$image" ray --version 2>&1 | tail -n 1))"
