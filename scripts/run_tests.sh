#!/usr/bin/env bash
# The whole test suite against the real services (make test calls this after `make services`).
# Extra arguments go to pytest, e.g. scripts/run_tests.sh tests/mfgplatform -x
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
# Browser tests use Debian's Chromium; install it once per machine when missing.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "[tests] installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || echo "[tests] chromium could not be installed; browser tests will fail"
fi
# --create-db: a fresh test database each run, so a changed migration can never hide behind a
# database kept from an earlier run.
exec .venv/bin/python -m pytest --create-db "$@"
