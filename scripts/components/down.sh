#!/usr/bin/env bash
# Stops what up.sh started (by pidfile) after removing the containers tests made.
set -uo pipefail
state=${MLOPS_TEST_STATE:-/tmp/mlops-test}
sock="$state/docker.sock"
if docker -H "unix://$sock" info >/dev/null 2>&1; then
  ids=$(docker -H "unix://$sock" ps -aq --filter label=mlops.test=1)
  [ -n "$ids" ] && docker -H "unix://$sock" rm -f $ids >/dev/null
fi
for pidfile in "$state/ssh/sshd.pid" "$state/sshAlt/sshd.pid" "$state/dockerd.pid"; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
done
rm -f "$state/components.json"
echo "components: stopped"
