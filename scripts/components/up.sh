#!/usr/bin/env bash
# Starts the real components the integration tests use, under $MLOPS_TEST_STATE
# (default /tmp/mlops-test), and describes what is up in components.json:
#   docker  a Docker engine on its own socket, with local/busybox:1 built from /bin/busybox
#   ssh     sshd on 127.0.0.1:$MLOPS_SSH_PORT (2222); its DOCKER_HOST is our engine
#   sshAlt  a second sshd on $MLOPS_SSH_ALT_PORT (2223) with a different host key
#   slurm   munged + slurmctld + slurmd for one node with two a100 GPUs as GRES (slurm.sh);
#           the sshds' SLURM_CONF names it, so a login over ssh is a login node; with
#           accounting (slurmdbd + a private MariaDB, slurmdbd.sh) where this machine has them
#   sshUsers  OS users alice and bob (in the docker group), each with an own key that the
#           sshds accept for that user only: two teammates on one shared GPU server
# Idempotent: what already runs (and answers) is reused. What cannot start (not root,
# binary missing) is left out, with the reason printed and written to components.json
# under "unavailable", so the suites that need it skip (or fail in CI). Always exits 0.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
ssh_port=${MLOPS_SSH_PORT:-2222}
alt_port=${MLOPS_SSH_ALT_PORT:-2223}
mkdir -p "$state"
docker_ok=0 ssh_ok=0 alt_ok=0 slurm_ok=0 users_ok=0
declare -A why=()
unavailable() { why[$1]=${2//$'\r'/}; say "$1 not available: ${why[$1]}"; }

# --- Docker engine ---------------------------------------------------------------
# No bridge and no iptables: tests need no container network, and this keeps dockerd
# off the host's firewall (it also runs where iptables is not allowed).
start_dockerd() { # start_dockerd STORAGE_DRIVER: starts it detached; succeeds once it answers
  rm -f "$state/dockerd.pid"   # a stale one would stop dockerd from starting
  echo "--- $(date -u +%FT%TZ) up.sh: dockerd --storage-driver $1" >>"$state/dockerd.log"
  # setsid: its own session, so Ctrl-C in the caller's terminal or the end of a CI step's
  # process group does not take the engine down with it.
  setsid dockerd --host "unix://$sock" --data-root "$state/docker-data" --exec-root "$state/docker-exec" \
    --pidfile "$state/dockerd.pid" --storage-driver "$1" --bridge none --iptables=false --ip6tables=false \
    </dev/null >>"$state/dockerd.log" 2>&1 &
  wait_for 60 $! docker_cli info
}

if ! command -v docker >/dev/null; then
  unavailable docker "no docker CLI (apt-get install docker.io)"
elif docker_cli info >/dev/null 2>&1; then
  docker_ok=1 && say "docker: reusing the engine on $sock"
elif ! command -v dockerd >/dev/null; then
  unavailable docker "no dockerd (apt-get install docker.io)"
elif [ "$(id -u)" != 0 ]; then
  unavailable docker "dockerd needs root; run scripts/components/up.sh as root"
else
  # One of ours may still be starting (an earlier up.sh); wait for it before starting another.
  if pid=$(ours "$state/dockerd.pid" "$sock"); then
    if wait_for 60 "$pid" docker_cli info; then docker_ok=1
    else say "docker: dockerd $pid does not answer; restarting it"; stop_pid "$pid" 30; fi
  fi
  # overlay2 first; where the kernel or the filesystem refuses it (nested in a sandbox,
  # overlay on overlay), vfs always works: slower, and fine for tiny test images.
  for driver in overlay2 vfs; do
    [ $docker_ok = 1 ] && break
    if start_dockerd "$driver"; then docker_ok=1 && say "docker: dockerd started ($driver) on $sock"; break; fi
    say "docker: dockerd with $driver did not answer: $(grep -m1 -E 'level=(fatal|error)|failed to start' "$state/dockerd.log" | tail -c 300)"
    if pid=$(ours "$state/dockerd.pid" "$sock"); then stop_pid "$pid" 30; fi
  done
  [ $docker_ok = 1 ] || unavailable docker "dockerd did not start; see $state/dockerd.log"
fi

# The image: there is no registry to pull from, so it is made from the static busybox.
if [ $docker_ok = 1 ] && ! docker_cli image inspect local/busybox:1 >/dev/null 2>&1; then
  bb=/bin/busybox; [ -x "$bb" ] || bb=$(command -v busybox || true)
  if [ -z "$bb" ] || ! "$bb" --list >/dev/null 2>&1; then
    docker_ok=0; unavailable docker "no busybox for the test image (apt-get install busybox-static)"
  elif ldd "$bb" >/dev/null 2>&1; then   # ldd succeeds only on a dynamically linked binary
    docker_ok=0; unavailable docker "$bb is dynamically linked; the image needs busybox-static"
  else
    rootfs=$(mktemp -d)
    mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/root" "$rootfs/tmp" "$rootfs/www"
    chmod 1777 "$rootfs/tmp"
    cp "$bb" "$rootfs/bin/busybox"
    # Every applet (sh ls echo cat sleep env httpd wget nc ...): tests may want any of them.
    for applet in $("$bb" --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
    echo 'root:x:0:' >"$rootfs/etc/group"
    echo '<h1>mlops-test</h1>' >"$rootfs/www/index.html"
    if tar -C "$rootfs" -c . | docker_cli import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - local/busybox:1 >/dev/null; then
      say "docker: imported local/busybox:1 from $bb"
    else
      docker_ok=0; unavailable docker "importing local/busybox:1 failed"
    fi
    rm -rf "$rootfs"
  fi
fi

# --- Two teammates (OS users) -----------------------------------------------------------
# alice and bob log in to the test sshd with keys of their own and reach the engine as
# members of its socket's group, the way people share a GPU server. Made before the sshds
# start, since their config names the users' key files.
team_users=(alice bob)
make_users() {
  local u
  command -v useradd >/dev/null || { unavailable sshUsers "no useradd (apt-get install passwd)"; return 1; }
  getent group docker >/dev/null || groupadd --system docker || { unavailable sshUsers "groupadd docker failed"; return 1; }
  for u in "${team_users[@]}"; do
    if ! id -u "$u" >/dev/null 2>&1; then
      useradd --create-home --shell /bin/sh --groups docker "$u" || { unavailable sshUsers "useradd $u failed"; return 1; }
    elif ! id -nG "$u" | tr ' ' '\n' | grep -qx docker; then
      usermod -aG docker "$u" || { unavailable sshUsers "usermod -aG docker $u failed"; return 1; }
    fi
    # useradd leaves the password "!" (locked), and sshd without PAM refuses a locked account
    # even for a key; "*" is no password at all, not a lock.
    [ "$(getent shadow "$u" | cut -d: -f2)" = '*' ] || usermod -p '*' "$u" || { unavailable sshUsers "usermod -p $u failed"; return 1; }
    mkdir -p "$state/users/$u"
    [ -f "$state/users/$u/key" ] || ssh-keygen -q -t ed25519 -N '' -C "mlops-test-$u" -f "$state/users/$u/key" || return 1
    cp "$state/users/$u/key.pub" "$state/users/$u/authorized_keys"
    # sshd reads a user's authorized_keys as that user: the folder must let them in.
    chmod 755 "$state/users" "$state/users/$u"; chmod 644 "$state/users/$u/authorized_keys"
  done
  # dockerd gives its socket to the docker group only if the group existed when it started.
  if [ $docker_ok = 1 ] && [ "$(stat -c %G "$sock")" != docker ]; then chgrp docker "$sock" && chmod 660 "$sock"; fi
}
if [ "$(id -u)" != 0 ]; then
  unavailable sshUsers "adding the OS users alice and bob needs root; run scripts/components/up.sh as root"
elif make_users; then
  users_ok=1
fi

# --- sshd (two, with different host keys) ------------------------------------------
key_of() { cut -d' ' -f2 "$1"; }   # the base64 key of a .pub file
serves_key() { # serves_key PORT PUBFILE: the listener on PORT presents the key in PUBFILE
  ssh-keyscan -T 3 -t ed25519 -p "$1" 127.0.0.1 2>/dev/null | awk '{print $3}' | grep -qxF "$(key_of "$2")"
}

start_sshd() { # start_sshd NAME PORT: (re)uses or starts sshd NAME; succeeds when it presents its host key
  local name=$1 port=$2 dir="$state/$1" pid config
  mkdir -p "$dir"
  [ -f "$dir/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -C "mlops-test-$name" -f "$dir/hostkey" || return 1
  cp "$state/userkey.pub" "$dir/authorized_keys"
  # SetEnv DOCKER_HOST: dockerode over SSH runs `docker system dial-stdio` on this side.
  # SLURM_CONF: Slurm's commands there find the test cluster (a login node's /etc/slurm).
  # Subsystem sftp: code sync to a cluster's login node uses SFTP, as every real one offers.
  config="Port $port
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
Subsystem sftp internal-sftp
SetEnv DOCKER_HOST=unix://$sock SLURM_CONF=$state/slurm/slurm.conf
# Last (a Match block runs to the end): the teammates accept their own keys only.
Match User $(IFS=,; echo "${team_users[*]}")
  AuthorizedKeysFile $state/users/%u/authorized_keys"
  if pid=$(ours "$dir/sshd.pid" "$dir/sshd_config"); then
    if [ "$config" = "$(cat "$dir/sshd_config")" ] && serves_key "$port" "$dir/hostkey.pub"; then
      say "$name: reusing sshd $pid on 127.0.0.1:$port"; return 0
    fi
    say "$name: sshd $pid has another configuration; restarting it"; stop_pid "$pid" 10
  fi
  printf '%s\n' "$config" >"$dir/sshd_config"
  mkdir -p /run/sshd   # its privilege-separation directory; absent on machines without a system sshd
  # -D under setsid rather than sshd's own daemonizing: that forks before binding and so
  # exits 0 even when the port is taken; this way a failed start ends the wait at once.
  setsid /usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >/dev/null 2>&1 &
  # The port answering is not enough: another process may hold it. Ours shows our key.
  if ! wait_for 20 $! serves_key "$port" "$dir/hostkey.pub"; then
    unavailable "$name" "sshd did not start on 127.0.0.1:$port: $(tail -n1 "$dir/sshd.log" 2>/dev/null)"
    if pid=$(ours "$dir/sshd.pid" "$dir/sshd_config"); then stop_pid "$pid" 10; fi
    return 1
  fi
  say "$name: sshd started on 127.0.0.1:$port"
}

# login_check NAME PORT KNOWN_HOSTS: a real login with OpenSSH's client, host key checked.
login_check() {
  local out
  out=$(ssh -F /dev/null -i "$state/userkey" -p "$2" -o BatchMode=yes -o ConnectTimeout=10 \
        -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$3" -o GlobalKnownHostsFile=/dev/null \
        root@127.0.0.1 'echo "$DOCKER_HOST"' </dev/null 2>&1)
  [ "$out" = "unix://$sock" ] && return 0
  unavailable "$1" "login to 127.0.0.1:$2 with the test key failed: $(echo "$out" | tail -n1)"; return 1
}

if ! command -v ssh-keygen >/dev/null || [ ! -x /usr/sbin/sshd ]; then
  unavailable ssh "no sshd (apt-get install openssh-server)"; unavailable sshAlt "${why[ssh]}"
elif [ "$(id -u)" != 0 ]; then
  # sshd as another user can only log in as that user; the tests log in as root.
  unavailable ssh "the test sshd runs as root; run scripts/components/up.sh as root"; unavailable sshAlt "${why[ssh]}"
else
  [ -f "$state/userkey" ] || ssh-keygen -q -t ed25519 -N '' -C mlops-test-user -f "$state/userkey"
  if start_sshd ssh "$ssh_port"; then
    # known_hosts names the first server only; tests present the second one under the same
    # [host]:port name, which is how they prove a changed host key is refused.
    echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1-2 "$state/ssh/hostkey.pub")" >"$state/known_hosts"
    login_check ssh "$ssh_port" "$state/known_hosts" && ssh_ok=1
  fi
  # Each teammate logs in with the own key (not root's) and reaches the engine as itself.
  if [ $users_ok = 1 ] && [ $ssh_ok = 1 ] && [ $docker_ok = 1 ]; then
    for u in "${team_users[@]}"; do
      out=$(ssh -F /dev/null -i "$state/users/$u/key" -p "$ssh_port" -o BatchMode=yes -o ConnectTimeout=10 -o IdentitiesOnly=yes \
            -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$state/known_hosts" -o GlobalKnownHostsFile=/dev/null \
            "$u@127.0.0.1" 'echo "$(id -un) $(docker version --format "{{.Server.APIVersion}}")"' </dev/null 2>&1)
      case $out in
        "$u "[0-9]*) ;;
        *) users_ok=0; unavailable sshUsers "$u cannot log in and reach the engine: $(echo "$out" | tail -n1)"; break ;;
      esac
    done
  elif [ $users_ok = 1 ]; then
    users_ok=0; unavailable sshUsers "needs the ssh and docker components"
  fi
  if start_sshd sshAlt "$alt_port"; then
    echo "[127.0.0.1]:$alt_port $(cut -d' ' -f1-2 "$state/sshAlt/hostkey.pub")" >"$state/sshAlt/known_hosts"
    login_check sshAlt "$alt_port" "$state/sshAlt/known_hosts" && alt_ok=1
  fi
fi

# --- Slurm ----------------------------------------------------------------------------
# slurm.sh says why on stderr when it cannot start; its last stdout line names the config.
if slurm_out=$(bash "$here/slurm.sh" up 2>"$state/slurm-up.err"); then
  slurm_ok=1; slurm_conf=$(echo "$slurm_out" | sed -n 's/^SLURM_CONF=//p' | tail -n1)
  accounting=$(echo "$slurm_out" | sed -n 's/^ACCOUNTING=//p' | tail -n1)
  echo "$slurm_out" | grep -vE '^(SLURM_CONF|ACCOUNTING)='
  # Without accounting the cluster still runs; only the suites that need sacct skip.
  [ "$accounting" = slurmdbd ] || { accounting=none; unavailable slurmdbd "$(echo "$slurm_out" | sed -n 's/^ACCOUNTING=none: //p' | tail -n1)"; }
else
  echo "$slurm_out"
  unavailable slurm "$(sed 's/^slurm: //' "$state/slurm-up.err" | tail -n1)"
fi

# --- components.json ------------------------------------------------------------------
fingerprint() { ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'; }
ssh_entry() { # ssh_entry NAME PORT
  printf '{"host": "127.0.0.1", "port": %s, "username": "root", "privateKeyPath": %s, "knownHostsPath": %s, "hostKeyFingerprint": %s, "dockerHost": %s}' \
    "$2" "$(json_str "$state/userkey")" "$(json_str "$state/known_hosts")" \
    "$(json_str "$(fingerprint "$state/$1/hostkey.pub")")" "$([ $docker_ok = 1 ] && json_str "unix://$sock" || echo null)"
}
{
  echo '{'
  printf '  "stateDir": %s' "$(json_str "$state")"
  [ $docker_ok = 1 ] && printf ',\n  "docker": {"socketPath": %s, "image": "local/busybox:1"}' "$(json_str "$sock")"
  [ $ssh_ok = 1 ] && printf ',\n  "ssh": %s' "$(ssh_entry ssh "$ssh_port")"
  [ $alt_ok = 1 ] && printf ',\n  "sshAlt": %s' "$(ssh_entry sshAlt "$alt_port")"
  if [ $users_ok = 1 ]; then
    printf ',\n  "sshUsers": {'
    sep=''
    for u in "${team_users[@]}"; do printf '%s"%s": {"username": "%s", "privateKeyPath": %s}' "$sep" "$u" "$u" "$(json_str "$state/users/$u/key")"; sep=', '; done
    printf '}'
  fi
  [ $slurm_ok = 1 ] && printf ',\n  "slurm": {"conf": %s, "node": %s, "partition": "gpu", "gres": "gpu:a100:2", "cpus": 2, "accounting": %s}' \
    "$(json_str "$slurm_conf")" "$(json_str "$(hostname -s)")" "$(json_str "$accounting")"
  if [ ${#why[@]} -gt 0 ]; then
    printf ',\n  "unavailable": {'
    sep=''
    for name in "${!why[@]}"; do printf '%s%s: %s' "$sep" "$(json_str "$name")" "$(json_str "${why[$name]}")"; sep=', '; done
    printf '}'
  fi
  printf '\n}\n'
} >"$state/components.json.tmp" && mv "$state/components.json.tmp" "$state/components.json"
say "docker=$docker_ok ssh=$ssh_ok sshAlt=$alt_ok sshUsers=$users_ok slurm=$slurm_ok ($state/components.json)"
exit 0
