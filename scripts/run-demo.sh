#!/usr/bin/env bash
# Quick start 1: install what is needed, build the demo hub on SQLite and serve it at http://127.0.0.1:8000
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

apt_install "${PRODUCT_PACKAGES[@]}"
ensure_venv ""
export TTDN_DATA_DIR="${TTDN_DATA_DIR:-$ROOT/var/demo}"
mkdir -p "$TTDN_DATA_DIR"

ttdn migrate --noinput -v 0
ttdn demo
exec ttdn serve --host "${TTDN_HOST:-127.0.0.1}" --port "${TTDN_PORT:-8000}" --no-migrate
