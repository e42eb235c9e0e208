#!/usr/bin/env bash
# Sets up and runs Samtal on its embedded default database (SQLite in instance/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
host="${SAMTAL_HOST:-127.0.0.1}" port="${SAMTAL_PORT:-5000}"
# Printed links point at this server unless a public address is configured.
export SAMTAL_BASE_URL="${SAMTAL_BASE_URL:-http://$host:$port}"
.venv/bin/flask --app app samtal migrate
.venv/bin/flask --app app samtal init
# The production server and settings (gunicorn.conf.py), two workers for SQLite.
exec .venv/bin/gunicorn -c gunicorn.conf.py --bind "$host:$port" \
  --workers "${SAMTAL_WORKERS:-2}" 'app:create_app()'
