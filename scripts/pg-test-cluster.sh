#!/usr/bin/env bash
# A private PostgreSQL primary and a streaming replica (pg_basebackup -R) for the replica and fault tests and the
# benches: Debian's server binaries (/usr/lib/postgresql/<version>/bin), both data directories, their sockets and logs
# under one directory, on loopback ports of their own. The system cluster (5432) is never touched. Safe to run again:
# it does nothing when both answer. Prints the variables the tests read.
#   scripts/pg-test-cluster.sh start [DIR] [PRIMARY_PORT] [REPLICA_PORT]   (default /tmp/ttdn-pg, 54391, 54392)
#   scripts/pg-test-cluster.sh stop [DIR]
#   scripts/pg-test-cluster.sh stop-replica|stop-primary [DIR]   (start again with `start DIR` and the same ports)
#   scripts/pg-test-cluster.sh restart-primary [DIR]     (the database-restart fault: a fast shutdown, then up again)
#   scripts/pg-test-cluster.sh env [DIR]                 (the variables of a running cluster)
set -euo pipefail

ACTION="${1:-start}"
DIR="${2:-/tmp/ttdn-pg}"
PRIMARY_PORT="${3:-54391}"
REPLICA_PORT="${4:-54392}"

BIN="${TTDN_PG_BIN:-}"
if [ -z "$BIN" ]; then
  # The newest installed server version.
  BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
[ -x "$BIN/postgres" ] || {
  echo "no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin (Debian package postgresql)" >&2; exit 1; }

# The server refuses to run as root: as root, everything runs as the system's postgres account, which owns DIR.
run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The ports a running cluster was started on (kept beside it), so that stop/env/restart need only DIR.
if [ -f "$DIR/ports" ] && [ "$ACTION" != start ]; then
  read -r PRIMARY_PORT REPLICA_PORT < "$DIR/ports"
fi

answers() { run "$BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 2; }
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

print_env() {
  echo "TTDN_TEST_PG_PRIMARY=postgres://postgres@127.0.0.1:$PRIMARY_PORT/postgres"
  echo "TTDN_TEST_PG_REPLICA=postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"
  echo "TTDN_TEST_PG_DIR=$DIR"
}

stop_one() {
  [ -f "$DIR/$1/postmaster.pid" ] || return 0
  run "$BIN/pg_ctl" -D "$DIR/$1" -m fast -w -t 60 stop >/dev/null 2>&1 \
    || run "$BIN/pg_ctl" -D "$DIR/$1" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
}

start_one() {  # name port
  run "$BIN/pg_ctl" -D "$DIR/$1" -l "$DIR/log/$1.log" -w -t 120 \
    -o "-p $2 -k $DIR/run -c listen_addresses=127.0.0.1" start >/dev/null
}

case "$ACTION" in
  stop)
    stop_one replica
    stop_one primary
    exit 0 ;;
  env)
    print_env
    exit 0 ;;
  stop-replica)
    stop_one replica
    exit 0 ;;
  stop-primary)
    stop_one primary
    exit 0 ;;
  restart-primary)
    stop_one primary
    start_one primary "$PRIMARY_PORT"
    exit 0 ;;
  start) ;;
  *)
    echo "usage: $0 start|stop|stop-replica|stop-primary|restart-primary|env [DIR] [PRIMARY_PORT] [REPLICA_PORT]" >&2; exit 2 ;;
esac

# An existing pair on these ports: start whichever server is stopped (after stop, stop-replica or a crash), keep data.
if [ -f "$DIR/ports" ] && [ "$(cat "$DIR/ports")" = "$PRIMARY_PORT $REPLICA_PORT" ] \
   && [ -f "$DIR/primary/PG_VERSION" ] && [ -f "$DIR/replica/standby.signal" ]; then
  answers "$PRIMARY_PORT" || start_one primary "$PRIMARY_PORT"
  answers "$REPLICA_PORT" || start_one replica "$REPLICA_PORT"
  print_env; exit 0
fi

# Anything half-started under DIR goes first (by its own pid files only: never another server).
stop_one replica
stop_one primary
for port in "$PRIMARY_PORT" "$REPLICA_PORT"; do
  if port_taken "$port"; then
    echo "port 127.0.0.1:$port is taken by a program that is not this test cluster (choose other ports)" >&2
    exit 1
  fi
done
case "$DIR" in /|/tmp|/var|/usr|/home|"") echo "refusing to use $DIR" >&2; exit 2 ;; esac
rm -rf "$DIR"
mkdir -p "$DIR"/{run,log}
[ "$(id -u)" = 0 ] && chown -R postgres: "$DIR"
echo "$PRIMARY_PORT $REPLICA_PORT" > "$DIR/ports"

# Trust on loopback and the private socket only: a throwaway cluster for tests, reachable from this machine.
run "$BIN/initdb" -D "$DIR/primary" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >/dev/null
cat >> "$DIR/primary/postgresql.conf" <<CONF
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
hot_standby_feedback = on
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
echo "host replication postgres 127.0.0.1/32 trust" >> "$DIR/primary/pg_hba.conf"
start_one primary "$PRIMARY_PORT"
run "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/replica" -R -X stream -c fast
start_one replica "$REPLICA_PORT"
print_env
