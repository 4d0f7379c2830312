#!/usr/bin/env bash
# A real Ray cluster of two nodes on this machine for the Ray jobs tests, from the venv of
# scripts/setup/ray.sh (.venv-ray): a head with its dashboard (the Jobs REST API) and a
# second node joining it, each `ray start --block` in its own session under $state/ray.
#   ray.sh up    starts (or reuses) it; waits until the dashboard lists both nodes alive;
#                writes "ray" into components.json; prints RAY_STARTED=1 when it started a
#                node (so the caller stops what it started) and RAY_DASHBOARD=<url> last.
#                Exits non-zero with the reason on stderr when it cannot start.
#   ray.sh down  stops what `up` started: each node's process group, by the pid file
#                (never `ray stop`, which stops every Ray on the machine, nor by name).
#   ray.sh head-down / head-up   stop / start only the head (the unreachable-cluster test).
# Not started by up.sh: the pair takes ~1.5 GB, so the Ray suites start it on demand.
# Ports, apart from the other components' (sshd 2222/2223, slurm 16817/16818): GCS 6380,
# dashboard 8266, client server 10101, agents 52366-52369, workers 20000-21999 (Ray's
# default worker range 10002-19999 would take Slurm's ports).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
dir="$state/ray"
gcs_port=${MLOPS_RAY_GCS_PORT:-6380}
dash_port=${MLOPS_RAY_DASHBOARD_PORT:-8266}
url="http://127.0.0.1:$dash_port"
ray_bin="$root/.venv-ray/bin/ray"
export RAY_USAGE_STATS_ENABLED=0

fail() { echo "ray: $*" >&2; exit 1; }

# Both nodes alive in the state API (the dashboard answers before the second node joins).
alive_nodes() { curl -fsS -m 5 "$url/api/v0/nodes?limit=100" 2>/dev/null | grep -o '"state": *"ALIVE"' | wc -l; }
two_alive() { [ "$(alive_nodes)" -ge 2 ]; }
head_answers() { curl -fsS -m 5 "$url/api/version" >/dev/null 2>&1; }

# start_node NAME ARGS...: `ray start --block` in its own session; its pid (= process group) in NAME.pid.
start_node() {
  local name=$1; shift
  echo "--- $(date -u +%FT%TZ) ray.sh: start $name" >>"$dir/$name.log"
  setsid "$ray_bin" start --block --disable-usage-stats --node-ip-address=127.0.0.1 "$@" </dev/null >>"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

# stop_node NAME: TERM to the node's process group (its raylet, workers, GCS, dashboard), then KILL.
stop_node() {
  local pid
  if pid=$(ours "$dir/$1.pid" "ray start"); then
    kill -TERM -- "-$pid" 2>/dev/null
    wait_for 20 "" bash -c "! kill -0 $pid" || kill -KILL -- "-$pid" 2>/dev/null
    # Children that outlive the `ray start` process still hold the group.
    wait_for 10 "" bash -c "! kill -0 -- -$pid" || kill -KILL -- "-$pid" 2>/dev/null
    echo "ray: stopped $1 ($pid)"
  fi
  rm -f "$dir/$1.pid"
}

started=0
head_up() {
  if ours "$dir/head.pid" "ray start" >/dev/null && head_answers; then return 0; fi
  started=1
  stop_node head
  # The session folder under $dir (not /tmp/ray, which another Ray on the machine may use).
  start_node head --head --port="$gcs_port" --dashboard-host=127.0.0.1 --dashboard-port="$dash_port" \
    --temp-dir="$dir/tmp" --num-cpus=1 --object-store-memory=80000000 --ray-client-server-port=10101 \
    --dashboard-agent-listen-port=52366 --dashboard-agent-grpc-port=52367 \
    --min-worker-port=20000 --max-worker-port=20999
  wait_for 90 "$(cat "$dir/head.pid")" head_answers || fail "the head's dashboard did not answer on $url: $(tail -n 3 "$dir/head.log")"
}

worker_up() {
  if ours "$dir/worker.pid" "ray start" >/dev/null; then return 0; fi
  started=1
  # One logical GPU (no device: Ray counts what it is told), so GPU figures have something to show.
  start_node worker --address="127.0.0.1:$gcs_port" --num-cpus=1 --num-gpus=1 --resources='{"worker2": 1}' \
    --object-store-memory=80000000 --dashboard-agent-listen-port=52368 --dashboard-agent-grpc-port=52369 \
    --min-worker-port=21000 --max-worker-port=21999
}

write_components() { # write_components present|absent: the "ray" entry of components.json
  local f="$state/components.json"
  [ -f "$f" ] || echo '{}' >"$f"
  "$root/.venv-ray/bin/python" - "$f" "$1" "$url" "$gcs_port" <<'PY'
import json, os, sys
f, what, url, gcs = sys.argv[1:]
d = json.load(open(f))
if what == "present":
    d["ray"] = {"dashboard": url, "gcsAddress": "127.0.0.1:" + gcs, "nodes": 2, "gpuNode": "worker2"}
else:
    d.pop("ray", None)
tmp = f + ".ray.tmp"
json.dump(d, open(tmp, "w"), indent=2)
os.replace(tmp, f)
PY
}

mkdir -p "$dir"
case "${1:-}" in
  up)
    [ -x "$ray_bin" ] || fail "no $ray_bin (run bash scripts/setup/ray.sh)"
    command -v curl >/dev/null || fail "no curl on PATH"
    head_up
    worker_up
    wait_for 90 "$(cat "$dir/worker.pid")" two_alive || fail "the second node did not join: $(tail -n 3 "$dir/worker.log")"
    write_components present
    echo "ray: 2 nodes up; dashboard $url"
    echo "RAY_STARTED=$started"
    echo "RAY_DASHBOARD=$url"
    ;;
  head-down) stop_node head ;;
  head-up)
    # A new head is a new cluster: the second node of the old one cannot rejoin it (it would
    # exit once it notices), so it is started anew too.
    stop_node worker
    head_up
    worker_up
    wait_for 90 "" two_alive || fail "the nodes did not come back: $(tail -n 3 "$dir/worker.log")"
    echo "RAY_DASHBOARD=$url"
    ;;
  down)
    stop_node worker
    stop_node head
    [ -f "$state/components.json" ] && [ -x "$root/.venv-ray/bin/python" ] && write_components absent
    echo "ray: down"
    ;;
  *) fail "usage: ray.sh up|down|head-down|head-up" ;;
esac
