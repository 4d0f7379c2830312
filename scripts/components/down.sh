#!/usr/bin/env bash
# Stops what up.sh started (by pidfile, checking each pid is still ours), after removing
# the containers in our engine. Keeps keys and the engine's data (the image) for the next
# up.sh. Idempotent: with nothing running it only tidies stale pidfiles.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

# The engine on $sock is private to the tests, so every container in it is ours
# (labelled mlops.test=1 by the tests, or a workspace an E2E test launched).
if docker_cli info >/dev/null 2>&1; then
  ids=$(docker_cli ps -aq)
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    docker_cli rm -f $ids >/dev/null && say "removed $(echo "$ids" | wc -l) container(s)"
  fi
fi

stop() { # stop NAME PIDFILE PATTERN SECONDS
  local pid
  if pid=$(ours "$2" "$3"); then stop_pid "$pid" "$4" && say "stopped $1 ($pid)"; fi
  rm -f "$2"
}
bash "$here/slurm.sh" down
# Ray runs only while its suites do; a suite that died leaves its nodes, stopped here by pid file.
bash "$here/ray.sh" down >/dev/null
stop ssh "$state/ssh/sshd.pid" "$state/ssh/sshd_config" 10
stop sshAlt "$state/sshAlt/sshd.pid" "$state/sshAlt/sshd_config" 10
# dockerd stops its containerd itself; that one is left only if dockerd had to be killed.
stop dockerd "$state/dockerd.pid" "$sock" 30
stop containerd "$state/docker-exec/containerd/containerd.pid" "$state/docker-exec" 10
rm -f "$state/components.json"
say "down ($state)"
