#!/usr/bin/env bash
# A real Slurm cluster of one machine for the jobs tests: its own munged, slurmctld and
# slurmd for one node (2 CPUs, two a100 GPUs declared as GRES), all under $state/slurm.
#   slurm.sh up    starts (or reuses) it; waits until sinfo shows the node ready; prints
#                  ACCOUNTING=slurmdbd (or ACCOUNTING=none: <why>) and SLURM_CONF=<path>
#                  on its last two lines. Exits non-zero with the reason on stderr when it
#                  cannot start.
#   slurm.sh down  stops what `up` started, by pid file (never by process name).
# Accounting (sacct) comes from slurmdbd.sh: a private MariaDB and slurmdbd, when this
# machine has them (apt-get install slurmdbd mariadb-server); without them the cluster
# runs as before, with the completion log as its only history.
# Nothing outside $state is written: munged gets its own key and socket (slurm.conf's
# AuthInfo points the daemons and the client commands at it), so a system munged or
# Slurm on the same machine is neither used nor disturbed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
dir="$state/slurm"
conf="$dir/slurm.conf"
ctld_port=${MLOPS_SLURMCTLD_PORT:-16817}
slurmd_port=${MLOPS_SLURMD_PORT:-16818}
node=$(hostname -s)

fail() { echo "slurm: $*" >&2; exit 1; }

munged_bin() { command -v munged || { [ -x /usr/sbin/munged ] && echo /usr/sbin/munged; }; }

# The client commands must not find a system slurm.conf first: tests and the login shell
# (the test sshd's SetEnv) both name ours.
export SLURM_CONF="$conf"

# The node answers and takes jobs: idle, or busy with jobs already there (an up.sh rerun
# while tests run). A `*` suffix (not responding), down, drain or invalid is not ready.
node_ready() { sinfo -h -N -n "$node" -o '%t' 2>/dev/null | sort -u | grep -qxE 'idle|mix|alloc|comp'; }

# Accounting is configured when slurmdbd can run here; `check` says why not otherwise.
accounting_why=$(bash "$here/slurmdbd.sh" check 2>&1) && accounting=1 || accounting=0

accounting_lines() {
  if [ $accounting = 1 ]; then
    # AccountingStoragePass: with munge it names the socket to reach slurmdbd through;
    # AuthInfo's socket is not used for that, so sacct would look for the system munged.
    # job_comment: sacct's Comment column holds our label, as squeue's does.
    # task=1: short test jobs still get a MaxRSS. No OUT_OF_MEMORY here: that needs
    # cgroups (task/cgroup), and OverMemoryKill needs memory as a consumable resource
    # (CR_Core_Memory), which would make every job without --mem hold DefMemPerCPU.
    cat <<EOF
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=${MLOPS_SLURMDBD_PORT:-16819}
AccountingStoragePass=$dir/munge/munge.socket
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
EOF
  else
    printf 'JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n'
  fi
}

write_config() {
  mkdir -p "$dir/state" "$dir/spool" "$dir/dev" "$dir/munge" "$dir/log"
  chmod 700 "$dir/munge"
  # Stand-in GPU device files. slurmd logs that they are not character devices and still
  # counts them; Count= without File= leaves the node INVALID, and mknod'ed char devices
  # made --gres jobs hang in slurmstepd (see the recipe).
  touch "$dir/dev/nvidia0" "$dir/dev/nvidia1"
  if [ ! -s "$dir/munge/munge.key" ]; then
    (umask 077 && head -c 1024 /dev/urandom >"$dir/munge/munge.key")
  fi
  # Absolute paths everywhere: a relative one makes slurmctld wait for a file that never comes.
  cat >"$conf.tmp" <<EOF
ClusterName=mlopstest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
$(accounting_lines)
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
ReturnToService=2
MailProg=/bin/true
MpiDefault=none
# Short waits: a test's time-limit job should end within seconds of its limit.
KillWait=2
OverTimeLimit=0
MinJobAge=600
SchedulerParameters=sched_interval=1
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 Gres=gpu:a100:2 State=UNKNOWN
PartitionName=gpu Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=debug Nodes=$node MaxTime=00:10:00 State=UP
EOF
  echo "NodeName=$node Name=gpu Type=a100 File=$dir/dev/nvidia[0-1]" >"$dir/gres.conf.tmp"
  # Changed settings need a restart; an unchanged file keeps its mtime.
  local changed=0
  cmp -s "$conf.tmp" "$conf" || { mv "$conf.tmp" "$conf"; changed=1; }
  cmp -s "$dir/gres.conf.tmp" "$dir/gres.conf" || { mv "$dir/gres.conf.tmp" "$dir/gres.conf"; changed=1; }
  rm -f "$conf.tmp" "$dir/gres.conf.tmp"
  return $((1 - changed))   # 0 = changed
}

stop_one() { # stop_one NAME PIDFILE PATTERN
  local pid
  if pid=$(ours "$2" "$3"); then stop_pid "$pid" 15 && say "slurm: stopped $1 ($pid)"; fi
  rm -f "$2"
}

# A changed configuration: the daemons start again and the jobs go on (slurmctld keeps
# them in StateSaveLocation; slurmstepd keeps running steps and reports to the new slurmd).
restart() {
  stop_one slurmd "$dir/slurmd.pid" "$conf"
  stop_one slurmctld "$dir/slurmctld.pid" "$conf"
}

queue_empty() { [ -z "$(squeue -h -o %i 2>/dev/null)" ]; }

down() {
  # Jobs first: slurmstepd and the job's processes outlive slurmd otherwise. The cluster is
  # private to the tests, so every job in it is theirs.
  if ours "$dir/slurmctld.pid" "$conf" >/dev/null && ! queue_empty; then
    squeue -h -o %i | xargs -r scancel 2>/dev/null
    wait_for 15 "" queue_empty || say "slurm: jobs still ending after 15 s"
  fi
  stop_one slurmd "$dir/slurmd.pid" "$conf"
  stop_one slurmctld "$dir/slurmctld.pid" "$conf"
  bash "$here/slurmdbd.sh" down
  stop_one munged "$dir/munged.pid" "$dir/munge"
}

up() {
  [ "$(id -u)" = 0 ] || fail "slurmd runs jobs as their user and needs root; run scripts/components/up.sh as root"
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sinfo >/dev/null ||
    fail "no Slurm (apt-get install slurm-wlm munge)"
  local munged; munged=$(munged_bin) || fail "no munged (apt-get install munge)"
  if write_config; then
    say "slurm: configuration changed; restarting its daemons (jobs are kept)"
    restart
  fi
  if ! ours "$dir/munged.pid" "$dir/munge" >/dev/null; then
    rm -f "$dir/munge/munge.socket" "$dir/munge/munge.socket.lock"
    # --force: munged refuses root without it. Its own key, socket, pid, log and seed.
    "$munged" --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
      --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munge.seed" \
      >>"$dir/log/start.log" 2>&1 || fail "munged did not start: $(tail -n1 "$dir/log/munged.log" 2>/dev/null)"
    wait_for 10 "" test -S "$dir/munge/munge.socket" || fail "munged made no socket; see $dir/log/munged.log"
  fi
  # slurmctld registers with slurmdbd when it starts: accounting comes up first.
  if [ $accounting = 1 ]; then
    bash "$here/slurmdbd.sh" up || { accounting=0; accounting_why="slurmdbd did not start: see $dir/log/slurmdbd.log"; }
  fi
  # The daemons fork into the background themselves once their pid file is written.
  # setsid: a CI step's process group ending must not take them along.
  local ctld slurmd_pid
  if ! ctld=$(ours "$dir/slurmctld.pid" "$conf"); then
    setsid slurmctld -f "$conf" </dev/null >>"$dir/log/start.log" 2>&1 ||
      fail "slurmctld did not start: $(grep -m1 -iE 'fatal|error' "$dir/log/slurmctld.log" | tail -c 300)"
    wait_for 15 "" ours "$dir/slurmctld.pid" "$conf" || fail "slurmctld wrote no pid file; see $dir/log/slurmctld.log"
    ctld=$(ours "$dir/slurmctld.pid" "$conf")
  fi
  if ! slurmd_pid=$(ours "$dir/slurmd.pid" "$conf"); then
    setsid slurmd -f "$conf" -N "$node" </dev/null >>"$dir/log/start.log" 2>&1 ||
      fail "slurmd did not start: $(grep -m1 -iE 'fatal|error' "$dir/log/slurmd.log" | tail -c 300)"
    wait_for 15 "" ours "$dir/slurmd.pid" "$conf" || fail "slurmd wrote no pid file; see $dir/log/slurmd.log"
    slurmd_pid=$(ours "$dir/slurmd.pid" "$conf")
  fi
  if ! wait_for 40 "$ctld" node_ready; then
    fail "node $node is not ready after 40 s: $(sinfo -h -N -o '%N %t %E' 2>&1 | head -n2 | tr '\n' ' '); see $dir/log"
  fi
  say "slurm: node $node ready (slurmctld $ctld, slurmd $slurmd_pid, ports $ctld_port/$slurmd_port)"
  if [ $accounting = 1 ]; then echo "ACCOUNTING=slurmdbd"; else echo "ACCOUNTING=none: ${accounting_why//$'\n'/ }"; fi
  echo "SLURM_CONF=$conf"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
