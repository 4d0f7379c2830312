#!/usr/bin/env bash
# Job accounting for the test Slurm (so `sacct` answers): a private MariaDB and slurmdbd,
# under $state/slurm beside slurm.sh's daemons. Called by slurm.sh; not run on its own.
#   slurmdbd.sh check  exits 0 when accounting can run here, else prints why (not root,
#                      a binary missing) on stderr: slurm.sh then leaves accounting out.
#   slurmdbd.sh up     starts (or reuses) MariaDB and slurmdbd, creates the database and
#                      its user once; needs slurm.sh's munged. Exits non-zero with the reason.
#   slurmdbd.sh down   stops both, by pid file (never by process name).
# MariaDB gets its own datadir, socket, port and pid file (mariadb-install-db, then
# mariadbd --no-defaults): the system service, if any, is neither used nor disturbed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
dir="$state/slurm"
db="$dir/mariadb"
dbd_conf="$dir/slurmdbd.conf"   # slurmdbd reads it from SLURM_CONF's folder
db_port=${MLOPS_MARIADB_PORT:-16820}
dbd_port=${MLOPS_SLURMDBD_PORT:-16819}
node=$(hostname -s)

fail() { echo "slurmdbd: $*" >&2; exit 1; }
sql() { mariadb --no-defaults --socket="$db/mysqld.sock" -u root -N -B "$@"; }

check() {
  [ "$(id -u)" = 0 ] || { echo "accounting needs root (slurmdbd runs as the SlurmUser, root here)" >&2; return 1; }
  local b
  for b in slurmdbd mariadbd mariadb-install-db mariadb sacctmgr; do
    command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] ||
      { echo "no $b (apt-get install slurmdbd mariadb-server)" >&2; return 1; }
  done
}

mariadbd_bin() { command -v mariadbd || echo /usr/sbin/mariadbd; }
slurmdbd_bin() { command -v slurmdbd || echo /usr/sbin/slurmdbd; }

up_mariadb() {
  if ours "$db/mariadb.pid" "$db/data" >/dev/null; then return 0; fi
  mkdir -p "$db" "$dir/log"
  if [ ! -d "$db/data/mysql" ]; then
    # --auth-root-authentication-method=socket: root logs in over our socket only, as the OS root.
    mariadb-install-db --no-defaults --user=root --datadir="$db/data" --skip-test-db \
      --auth-root-authentication-method=socket >"$dir/log/mariadb-install.log" 2>&1 ||
      fail "mariadb-install-db failed: $(tail -n1 "$dir/log/mariadb-install.log")"
  fi
  rm -f "$db/mysqld.sock"
  # Small buffers: a test database of a few hundred jobs, on a machine shared with other daemons.
  setsid "$(mariadbd_bin)" --no-defaults --user=root --datadir="$db/data" --socket="$db/mysqld.sock" \
    --port="$db_port" --bind-address=127.0.0.1 --pid-file="$db/mariadb.pid" --log-error="$dir/log/mariadb.log" \
    --skip-name-resolve --innodb-buffer-pool-size=32M --innodb-log-file-size=16M --performance-schema=OFF \
    </dev/null >>"$dir/log/start.log" 2>&1 &
  wait_for 60 $! sql -e 'select 1' || fail "MariaDB did not answer on $db/mysqld.sock; see $dir/log/mariadb.log"
}

write_dbd_conf() {
  local pass_file="$db/slurm.pass" pass
  [ -s "$pass_file" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$pass_file")
  pass=$(cat "$pass_file")
  # IF NOT EXISTS / ALTER: a rerun keeps the data and makes the password match the file.
  sql -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" || fail "could not create slurm_acct_db and its user"
  # slurmdbd refuses a slurmdbd.conf others can read (it holds the password) or that is not its SlurmUser's.
  (umask 077 && cat >"$dbd_conf.tmp" <<EOF
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
DbdHost=$node
DbdAddr=127.0.0.1
DbdPort=$dbd_port
SlurmUser=root
PidFile=$dir/slurmdbd.pid
LogFile=$dir/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=$pass
StorageLoc=slurm_acct_db
EOF
  )
  chown root:root "$dbd_conf.tmp" && chmod 600 "$dbd_conf.tmp"
  if cmp -s "$dbd_conf.tmp" "$dbd_conf"; then rm -f "$dbd_conf.tmp"; return 1; fi
  mv "$dbd_conf.tmp" "$dbd_conf"
}

dbd_answers() { sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1; }

up() {
  check || exit 1
  [ -S "$dir/munge/munge.socket" ] || fail "munged is not running (slurm.sh starts it first)"
  up_mariadb
  local pid
  # slurmdbd takes no config path (it reads slurmdbd.conf beside SLURM_CONF), so its
  # pid file, under our folder, is what marks it as ours; its name guards against a reused pid.
  if write_dbd_conf && pid=$(ours "$dir/slurmdbd.pid" slurmdbd); then
    say "slurmdbd: configuration changed; restarting"; stop_pid "$pid" 20
  fi
  if ! pid=$(ours "$dir/slurmdbd.pid" slurmdbd); then
    SLURM_CONF="$dir/slurm.conf" setsid "$(slurmdbd_bin)" -s </dev/null >>"$dir/log/start.log" 2>&1 ||
      fail "slurmdbd did not start: $(grep -m1 -iE 'fatal|error' "$dir/log/slurmdbd.log" | tail -c 300)"
    wait_for 30 "" test -s "$dir/slurmdbd.pid" || fail "slurmdbd wrote no pid file; see $dir/log/slurmdbd.log"
    pid=$(cat "$dir/slurmdbd.pid")
  fi
  # sacctmgr reaches slurmdbd through slurm.conf's AccountingStorageHost/Port.
  SLURM_CONF="$dir/slurm.conf" wait_for 30 "$pid" dbd_answers || fail "slurmdbd $pid does not answer sacctmgr; see $dir/log/slurmdbd.log"
  local cluster; cluster=$(sed -n 's/^ClusterName=//p' "$dir/slurm.conf")
  if [ -z "$(SLURM_CONF="$dir/slurm.conf" sacctmgr -n -P show cluster "$cluster" format=cluster 2>/dev/null)" ]; then
    SLURM_CONF="$dir/slurm.conf" sacctmgr -i add cluster "$cluster" >>"$dir/log/start.log" 2>&1 || fail "sacctmgr add cluster $cluster failed"
  fi
  # An account for the tests' jobs; root is a user of the cluster's root account already.
  if [ -z "$(SLURM_CONF="$dir/slurm.conf" sacctmgr -n -P show account mlops format=account 2>/dev/null)" ]; then
    SLURM_CONF="$dir/slurm.conf" sacctmgr -i add account mlops Cluster="$cluster" Description=tests Organization=mlops >>"$dir/log/start.log" 2>&1 ||
      fail "sacctmgr add account mlops failed"
    SLURM_CONF="$dir/slurm.conf" sacctmgr -i add user root Account=mlops Cluster="$cluster" >>"$dir/log/start.log" 2>&1 || true
  fi
  say "slurmdbd: accounting up (slurmdbd $pid on 127.0.0.1:$dbd_port, MariaDB $(cat "$db/mariadb.pid") on 127.0.0.1:$db_port)"
}

down() {
  local pid
  if pid=$(ours "$dir/slurmdbd.pid" "slurmdbd"); then stop_pid "$pid" 20 && say "slurmdbd: stopped slurmdbd ($pid)"; fi
  rm -f "$dir/slurmdbd.pid"
  if pid=$(ours "$db/mariadb.pid" "$db/data"); then stop_pid "$pid" 30 && say "slurmdbd: stopped MariaDB ($pid)"; fi
  rm -f "$db/mariadb.pid"
}

case "${1:-}" in
  check) check ;;
  up) up ;;
  down) down ;;
  *) echo "usage: $0 check|up|down" >&2; exit 2 ;;
esac
