#!/usr/bin/env bash
# Quick start 2: install what is needed and run the whole test suite — lint, types, the import layers, then
# every test on SQLite and every test that touches a database again on PostgreSQL (browser tests in Debian
# chromium included). Extra arguments go to pytest. The time of each phase is printed at the end.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

apt_install "${PRODUCT_PACKAGES[@]}" chromium fonts-dejavu-core ca-certificates rsync zstd
# A real S3-compatible server for the off-site backup tests (scripts/s3-test-server.sh, started by the tests).
apt_install ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl
# nginx in front of several hub processes (tests/ops/test_proxy.py).
apt_install nginx-light
# Debian's PostgreSQL server binaries: the replica, database-restart and queue tests start private servers of their
# own (scripts/pg-test-cluster.sh), whatever server TTDN_TEST_DATABASE_URL names.
apt_install postgresql
ensure_venv "test"
cd "$ROOT"
# Byte-code caches on, even where the environment turns them off: the suite starts hundreds of Python processes
# (nodes, hubs, CLIs) and each pytest worker rewrites every test module's asserts; without the caches each one
# compiles them all again.
unset PYTHONDONTWRITEBYTECODE

# PostgreSQL: use TTDN_TEST_DATABASE_URL, else the local server, else install and start one. Never skipped.
pg_url="${TTDN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ttdn}"
pg_ok() { python - "$1" <<'PY'
import sys, psycopg
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                    dbname="postgres", connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr); sys.exit(1)
PY
}
if ! pg_ok "$pg_url"; then
  echo "Cài và khởi động PostgreSQL / installing and starting PostgreSQL"
  apt_install postgresql
  cluster_version="$(ls /etc/postgresql | sort -n | tail -1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start || as_root pg_ctlcluster "$cluster_version" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  as_root runuser -u postgres -- psql -q -c "ALTER ROLE postgres PASSWORD 'ttdn-test'"
  pg_url="postgres://postgres:ttdn-test@127.0.0.1:5432/ttdn"
  pg_ok "$pg_url"
fi

# The time of each phase, printed at the end whether the run passes or not.
phases=()
phase_name="install"  # the system packages, the virtual environment and PostgreSQL, above
phase_started=0
phase() {  # phase NAME: the previous phase ends here
  [ -n "${phase_name:-}" ] && phases+=("$(printf '%-12s %4d s' "$phase_name" $((SECONDS - phase_started)))")
  phase_name="$1"; phase_started=$SECONDS
  [ -n "$1" ] && echo "== $1"
  return 0
}
report() {
  phase ""
  echo "== time per phase"
  printf '  %s\n' "${phases[@]}"
  printf '  %-12s %4d s\n' "total" "$SECONDS"
}
trap report EXIT

# The reference data (administrative units) is built once per run, next to the linters: a dump every SQLite
# test database copies, and a PostgreSQL template database the workers clone (tests/refdata.py). The SQLite pass
# waits for the dump only; the PostgreSQL template is built after it (it copies the dump) while that pass begins.
python -m tests.refdata > "$ROOT/.refdata.log" 2>&1 &
refdata_pid=$!
( while kill -0 "$refdata_pid" 2>/dev/null; do sleep 0.2; done
  TTDN_DATABASE_URL="$pg_url" python -m tests.refdata pg ) > "$ROOT/.refdata-pg.log" 2>&1 &
refdata_pg_pid=$!

phase ruff; ruff check src tests
phase mypy; mypy
phase import-layers; lint-imports
phase reference-data; wait "$refdata_pid" || { cat "$ROOT/.refdata.log"; exit 1; }; cat "$ROOT/.refdata.log"
# Two workers per core (at most 8): the slow tests spend part of their time waiting on the processes they start
# (hubs, nodes, SMSCs, browsers), and a third and fourth worker fill those waits. Measured on 2 cores: 675 s
# against 718 s for the SQLite pass, 795 s against 827 s for PostgreSQL (docs/benchmarks.md).
cores="$(nproc 2>/dev/null || echo 2)"
workers="${TTDN_TEST_WORKERS:-$(( cores * 2 > 8 ? 8 : cores * 2 ))}"
# The tests sharing a costly fixture stay on one worker (XDIST_GROUPS in tests/conftest.py).
phase SQLite
# The tests that start PostgreSQL servers of their own (a replica pair, a server that goes down) are the same test in
# either pass: they run once, in the PostgreSQL pass.
env -u TTDN_DATABASE_URL python -m pytest -n "$workers" -p no:cacheprovider --durations=15 --without-own-postgresql "$@"
# Every test that touches a database runs again on PostgreSQL; the others ran above already. Each pass ends with
# its 15 slowest tests, to see where the suite's time goes.
phase PostgreSQL
echo "($pg_url)"
wait "$refdata_pg_pid" || { cat "$ROOT/.refdata-pg.log"; exit 1; }; cat "$ROOT/.refdata-pg.log"
TTDN_DATABASE_URL="$pg_url" python -m pytest -n "$workers" -p no:cacheprovider --durations=15 --create-db --db-only "$@"
