#!/usr/bin/env bash
# Installs everything Samtal needs on a fresh Debian machine; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# The distribution's Python when it is new enough: Debian builds it with profile-guided
# optimisation, and a self-built one (pyenv's, say) ran Samtal's pages and PDFs measurably
# slower on the same machine.
PYTHON=python3
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import sys; sys.exit(sys.version_info < (3, 11))"; then
  PYTHON=/usr/bin/python3
fi

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
# Noto for every script the families write in (Latin, Cyrillic, Arabic, Ethiopic): the PDFs
# embed them, and without them Arabic comes out unshaped and Tigrinya as empty boxes.
for family in "Noto Sans" "Noto Sans Arabic" "Noto Sans Ethiopic"; do
  fc-list ":family=$family" 2>/dev/null | grep -q . || { need_apt+=(fonts-noto-core); break; }
done
"$PYTHON" -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
command -v npm >/dev/null || need_apt+=(npm)
# Java runs the Nu Html Checker (vnu.jar, from npm below) that checks the pages are valid HTML
# (tests/web/test_valid_html.py); any Java 11 or later will do.
command -v java >/dev/null || need_apt+=(default-jre-headless)
# hunspell's Swedish dictionary checks the spelling of the flow texts (tests/test_spelling.py).
{ command -v hunspell >/dev/null && [ -f /usr/share/hunspell/sv_SE.dic ]; } \
  || need_apt+=(hunspell hunspell-sv)
# Recorded read-aloud tests: espeak-ng speaks a test sentence per language (sox makes a tone
# where it has no voice), opusenc turns it into the mono Ogg Opus the recording page takes.
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
command -v sox >/dev/null || need_apt+=(sox)
command -v opusenc >/dev/null || need_apt+=(opus-tools)
# pg_dump and pg_restore: `flask samtal backup`/`restore` on PostgreSQL (and their tests).
command -v pg_dump >/dev/null || need_apt+=(postgresql-client)
if [ "${SAMTAL_WITH_PDF:-1}" = 1 ]; then
  # WeasyPrint renders the summary as PDF and needs Pango (and HarfBuzz's subsetter for fonts).
  ldconfig -p | grep -q libpango-1.0 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
  ldconfig -p | grep -q libharfbuzz-subset || need_apt+=(libharfbuzz-subset0)
  # pdftotext and pdftoppm: the tests read the PDF's text and look at its pages.
  command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
fi
# Single sign-on: pysaml2 checks signatures with xmlsec1; the SSO tests run Debian's
# SimpleSAMLphp (as the SAML IdP) under PHP's built-in server. The package depends on some web
# server (apache2 unless one is installed); the tests never start it.
command -v xmlsec1 >/dev/null || need_apt+=(xmlsec1)
command -v php >/dev/null || need_apt+=(php-cli)
php -m 2>/dev/null | grep -qx dom || need_apt+=(php-xml)
php -m 2>/dev/null | grep -qx mbstring || need_apt+=(php-mbstring)
[ -f /usr/share/simplesamlphp/www/index.php ] || need_apt+=(simplesamlphp)
# nginx in front of two app servers, with a certificate made by openssl (tests/ops).
[ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
command -v openssl >/dev/null || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "samtal setup: installing ${need_apt[*]} (Debian packages)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.samtal-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements-test.lock -nt "$stamp" ]; then
  # Exactly the locked packages, each checked against its hash (scripts/lock.sh makes the
  # lock), then Samtal itself on top, editable.
  .venv/bin/pip install -q --require-hashes -r requirements-test.lock
  .venv/bin/pip install -q --no-deps --no-build-isolation -e .
  touch "$stamp"
fi

# htmx comes from the npm registry, pinned in package-lock.json (htmx.org 2.0.x, 0BSD);
# so do the devDependencies, never served: oidc-provider, the OpenID provider the SSO tests
# run, vnu-jar, the Nu Html Checker, and html_codesniffer (BSD-3-Clause), the second
# accessibility engine of the browser tests.
if [ ! -f node_modules/htmx.org/dist/htmx.min.js ] || [ ! -d node_modules/oidc-provider ] \
  || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] \
  || [ ! -f node_modules/html_codesniffer/build/HTMLCS.js ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --silent --no-audit --no-fund
fi
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/htmx.org/LICENSE static/vendor/htmx.LICENSE

.venv/bin/python -m samtal.tools.translations compile > /dev/null  # families' and staff catalogs
