#!/usr/bin/env bash
# Starts the real components the integration tests use, under $MLOPS_TEST_STATE
# (default /tmp/mlops-test), and describes what is up in components.json:
#   docker  a Docker engine on its own socket, with local/busybox:1 built from /bin/busybox
#   ssh     sshd on 127.0.0.1:$MLOPS_SSH_PORT (2222); its DOCKER_HOST is our engine
#   sshAlt  a second sshd on $MLOPS_SSH_ALT_PORT (2223) with a different host key
# Idempotent: what already runs is reused. What cannot start (not root, binary missing)
# is left out with the reason printed, so the suites that need it skip (or fail in CI).
set -uo pipefail
state=${MLOPS_TEST_STATE:-/tmp/mlops-test}
ssh_port=${MLOPS_SSH_PORT:-2222}
alt_port=${MLOPS_SSH_ALT_PORT:-2223}
mkdir -p "$state"
sock="$state/docker.sock"
docker_ok=0 ssh_ok=0 alt_ok=0

wait_for() { # wait_for SECONDS CMD...: polls until CMD succeeds
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.5
  done
}

# --- Docker engine ---------------------------------------------------------------
if docker -H "unix://$sock" info >/dev/null 2>&1; then
  docker_ok=1
elif ! command -v dockerd >/dev/null; then
  echo "components: no dockerd (apt-get install docker.io); Docker suites will skip"
elif [ "$(id -u)" != 0 ]; then
  echo "components: dockerd needs root; Docker suites will skip"
else
  start_dockerd() {
    dockerd --host "unix://$sock" --data-root "$state/docker-data" --exec-root "$state/docker-exec" \
      --pidfile "$state/dockerd.pid" --bridge none --iptables=false --ip6tables=false "$@" \
      >"$state/dockerd.log" 2>&1 &
    wait_for 60 docker -H "unix://$sock" info
  }
  if start_dockerd; then docker_ok=1
  else
    # Some kernels refuse overlay2 inside a sandbox; vfs always works (slower, fine for tests).
    echo "components: dockerd with overlay2 did not answer; retrying with vfs"
    [ -f "$state/dockerd.pid" ] && kill "$(cat "$state/dockerd.pid")" 2>/dev/null; sleep 1
    start_dockerd --storage-driver vfs && docker_ok=1 || { echo "components: dockerd did not start; see $state/dockerd.log"; tail -5 "$state/dockerd.log"; }
  fi
fi
if [ $docker_ok = 1 ] && ! docker -H "unix://$sock" image inspect local/busybox:1 >/dev/null 2>&1; then
  bb=$(command -v busybox || echo /bin/busybox)
  if [ -x "$bb" ] && file -L "$bb" 2>/dev/null | grep -q static || ldd "$bb" 2>&1 | grep -q "not a dynamic"; then
    rootfs=$(mktemp -d); mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/www"
    cp "$bb" "$rootfs/bin/busybox"
    for c in sh ls echo cat sleep env httpd wget nc id hostname uname mkdir rm printf true false; do ln -sf busybox "$rootfs/bin/$c"; done
    echo '<h1>mlops-test</h1>' > "$rootfs/www/index.html"
    tar -C "$rootfs" -c . | docker -H "unix://$sock" import -c 'ENV PATH=/bin' - local/busybox:1 >/dev/null
    rm -rf "$rootfs"
  else
    echo "components: no static busybox (apt-get install busybox-static); Docker suites will skip"; docker_ok=0
  fi
fi

# --- sshd (two, with different host keys) ------------------------------------------
start_sshd() { # start_sshd NAME PORT
  local name=$1 port=$2 dir="$state/$1"
  mkdir -p "$dir"
  if [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; then return 0; fi
  [ -f "$dir/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -C "mlops-test-$name" -f "$dir/hostkey"
  [ -f "$state/userkey" ] || ssh-keygen -q -t ed25519 -N '' -C mlops-test-user -f "$state/userkey"
  cp "$state/userkey.pub" "$dir/authorized_keys"
  cat > "$dir/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $dir/hostkey
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PidFile $dir/sshd.pid
AllowTcpForwarding yes
SetEnv DOCKER_HOST=unix://$sock
CFG
  mkdir -p /run/sshd
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" || return 1
  wait_for 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
}
if [ ! -x /usr/sbin/sshd ]; then
  echo "components: no sshd (apt-get install openssh-server); SSH suites will skip"
elif [ "$(id -u)" != 0 ]; then
  echo "components: sshd here runs as root; SSH suites will skip"
else
  start_sshd ssh "$ssh_port" && ssh_ok=1 || echo "components: sshd did not start; see $state/ssh/sshd.log"
  start_sshd sshAlt "$alt_port" && alt_ok=1 || echo "components: second sshd did not start; see $state/sshAlt/sshd.log"
fi

# known_hosts names the first server only; the second one is the same host:port alias
# with another key, which is how tests prove a changed key is refused.
fingerprint() { ssh-keygen -l -E sha256 -f "$1.pub" | awk '{print $2}'; }
[ $ssh_ok = 1 ] && echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1-2 "$state/ssh/hostkey.pub")" > "$state/known_hosts"

{
  echo '{'
  sep=''
  if [ $docker_ok = 1 ]; then printf '  "docker": {"socketPath": "%s", "image": "local/busybox:1"}' "$sock"; sep=','; fi
  for entry in "ssh:$ssh_port:$ssh_ok" "sshAlt:$alt_port:$alt_ok"; do
    IFS=: read -r name port ok <<<"$entry"
    [ "$ok" = 1 ] || continue
    printf '%s\n  "%s": {"host": "127.0.0.1", "port": %s, "username": "root", "privateKeyPath": "%s", "knownHostsPath": "%s", "hostKeyFingerprint": "%s", "dockerHost": %s}' \
      "$sep" "$name" "$port" "$state/userkey" "$state/known_hosts" "$(fingerprint "$state/$name/hostkey")" "$([ $docker_ok = 1 ] && echo '"unix://'"$sock"'"' || echo null)"
    sep=','
  done
  printf '\n}\n'
} > "$state/components.json.tmp" && mv "$state/components.json.tmp" "$state/components.json"
echo "components: docker=$docker_ok ssh=$ssh_ok sshAlt=$alt_ok ($state/components.json)"
