# Shared by run-demo.sh and run-tests.sh: system packages, the virtual environment, the project install.
# Safe to run again: each step checks before it acts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TTDN_VENV:-$ROOT/.venv}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Cần quyền root để cài gói hệ thống: $* / Root is needed to install system packages: $*" >&2; exit 1
  fi
}

# What the product itself needs on any machine: ICU for PyICU (word breaks for Lao, Khmer, Thai, Chinese), and
# LibreOffice with Liberation 2 fonts for the Decree 30 PDFs. Liberation 2 has every Vietnamese letter with Times New
# Roman's metrics; Debian's fonts-liberation 1.07 lacks those with two marks (Ỉ, Ở, Ể, Ị, ố), which then come from a
# fallback font and break the PDF's text.
# postgresql-client: pg_dump and pg_restore for `ttdn backup` and `ttdn restore` on PostgreSQL.
# espeak-ng: the offline speech engine of the outreach voice messages.
PRODUCT_PACKAGES=(libicu-dev pkg-config g++ libreoffice-writer-nogui fonts-liberation2 postgresql-client espeak-ng)
# For the benchmarks only (bench/portal.py loads the server with wrk): `source scripts/common.sh; apt_install "${BENCH_PACKAGES[@]}"`.
BENCH_PACKAGES=(wrk)

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

ensure_python() {
  PYTHON="$(find_python || true)"
  if [ -z "$PYTHON" ]; then
    apt_install python3 python3-venv python3-dev
    PYTHON="$(find_python || true)"
  fi
  if [ -z "$PYTHON" ]; then
    echo "Cần Python 3.11 / Python 3.11 is required" >&2; exit 1
  fi
  if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv
  fi
}

ensure_venv() {
  local extras="$1"
  ensure_python
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  # Re-install only when the project's dependencies changed.
  local stamp="$VENV/.ttdn-installed-$extras"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    if [ -n "$extras" ]; then
      "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]"
    else
      "$VENV/bin/python" -m pip install -q -e "$ROOT"
    fi
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
