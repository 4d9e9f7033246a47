#!/usr/bin/env bash
# Quick start 2: install what is needed and run the whole test suite — lint, types, then every test on
# SQLite and again on PostgreSQL (browser tests in Debian chromium included). Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

apt_install "${PRODUCT_PACKAGES[@]}" chromium fonts-dejavu-core ca-certificates rsync zstd
ensure_venv "test"
cd "$ROOT"

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

echo "== ruff"; ruff check src tests
echo "== mypy"; mypy
workers="${TTDN_TEST_WORKERS:-2}"
echo "== tests on SQLite"
env -u TTDN_DATABASE_URL python -m pytest -n "$workers" -p no:cacheprovider "$@"
echo "== tests on PostgreSQL ($pg_url)"
TTDN_DATABASE_URL="$pg_url" python -m pytest -n "$workers" -p no:cacheprovider --create-db "$@"
