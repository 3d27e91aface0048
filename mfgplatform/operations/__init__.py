"""Operations: the scheduled jobs and what they run.

- `jobs`          — the job wrapper: lock, retries, an audit event per run
- `schedules`     — the Celery beat schedule and the pg_cron alternative
- `chunks`        — hypertable chunk health, sensor retention and compression
- `receipts`      — purge of the ingest API's event-id receipts
- `audit_archive` — old audit events moved to gzip JSONL files
- `admin`         — the operations admin: compliance reports, refresh state, the status page

The Celery tasks that call these bodies are in `mfgplatform/tasks.py` (Celery discovers `<app>.tasks`).
"""
