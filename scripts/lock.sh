#!/usr/bin/env bash
# Regenerates the lock files from pyproject.toml, every package pinned with its hashes:
#   requirements.lock       what the app needs to run (the container and servers install it)
#   requirements-test.lock  that plus the test tools (scripts/setup.sh installs it)
# Run it after changing a dependency. Pins already locked stay unless you pass --upgrade
# (or --upgrade-package NAME). Resolved from PyPI alone, whatever local indexes pip has.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh
[ -x .venv/bin/pip-compile ] || .venv/bin/pip install -q "pip-tools>=7.4"
compile() {
  PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS="" PIP_EXTRA_INDEX_URL="" \
    .venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-find-links --no-emit-index-url --no-emit-trusted-host "$@"
}
compile --output-file requirements.lock "$@" pyproject.toml
# The test tools on top of exactly the app's pins.
compile --extra test --constraint requirements.lock --output-file requirements-test.lock \
  "$@" pyproject.toml
echo "requirements.lock and requirements-test.lock written; scripts/setup.sh installs the second"
