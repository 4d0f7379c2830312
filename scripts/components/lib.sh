# Helpers shared by up.sh and down.sh (sourced, not run).

state=${MLOPS_TEST_STATE:-/tmp/mlops-test}
sock="$state/docker.sock"

say() { echo "components: $*"; }

docker_cli() { docker -H "unix://$sock" "$@"; }

# wait_for SECONDS PID CMD...: polls CMD until it succeeds. Gives up at the deadline, or
# at once when PID (unless empty) has exited, so a daemon that died is not waited for.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )) pid=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.5
  done
}

# ours PIDFILE PATTERN: prints the pid in PIDFILE when that process is alive and its
# command line contains PATTERN. A pidfile outlives its process, and the pid may since
# belong to someone else, whom we must neither reuse nor kill.
ours() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1" 2>/dev/null)
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
  echo "$pid"
}

# stop_pid PID SECONDS: TERM, wait up to SECONDS for the exit, then KILL.
stop_pid() {
  kill "$1" 2>/dev/null || return 0
  wait_for "$2" "" bash -c "! kill -0 $1" || kill -9 "$1" 2>/dev/null
  wait_for 5 "" bash -c "! kill -0 $1"
}

# json_str TEXT: TEXT as a JSON string (paths and reasons are plain text; no control chars kept).
json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//[$'\t\n\r']/ }
  printf '"%s"' "$s"
}
