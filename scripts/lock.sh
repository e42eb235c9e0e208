#!/usr/bin/env bash
# Regenerates requirements.lock from pyproject.toml: every package (test tools included)
# pinned with its hashes; scripts/setup.sh installs exactly that. Run it after changing a
# dependency; pins already in the lock stay unless you pass --upgrade (or
# --upgrade-package NAME). Resolved from PyPI alone, whatever local indexes pip is set up with.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh
[ -x .venv/bin/pip-compile ] || .venv/bin/pip install -q "pip-tools>=7.4"
PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS="" PIP_EXTRA_INDEX_URL="" \
  .venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
  --extra test --no-emit-find-links --no-emit-index-url --no-emit-trusted-host \
  --output-file requirements.lock "$@" pyproject.toml
echo "requirements.lock written; scripts/setup.sh installs from it"
