#!/usr/bin/env bash
# Sets up and runs the whole test suite: lint, types, unit, PostgreSQL and Chromium tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy samtal app.py
.venv/bin/mypy --explicit-package-bases tests bench
.venv/bin/python scripts/audit.py
.venv/bin/python -m pytest "$@"
