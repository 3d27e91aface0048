#!/usr/bin/env bash
# Serve the admin with a Celery worker and exactly one beat beside it; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
host="${1:-127.0.0.1}"
port="${2:-8000}"
mkdir -p .services/logs
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 \
    >.services/logs/celery-worker.log 2>&1 &
pids+=($!)
rm -f .services/celery-beat.pid  # a stale pidfile from a killed run would stop beat
.venv/bin/celery -A config beat --loglevel=INFO \
    --pidfile=.services/celery-beat.pid >.services/logs/celery-beat.log 2>&1 &
pids+=($!)
echo "[run] Celery worker and beat started (logs in .services/logs/)"
echo "[run] admin at http://$host:$port/admin/"
.venv/bin/python manage.py runserver "$host:$port" --noreload &
pids+=($!)
wait -n "${pids[@]}"
