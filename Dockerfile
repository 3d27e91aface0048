# The platform's application image: web (gunicorn), Celery worker and Celery beat share it.
# trixie: its postgresql-client-17 matches the PostgreSQL 17 server, which manage.py backup/restore need
# (pg_dump refuses a newer server; bookworm ships 15).
FROM python:3.11-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PG_CLIENT_BIN_DIR=/usr/lib/postgresql/17/bin \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-17 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 mfg \
    && install -d -o mfg /var/lib/mfgplatform/audit-archive /var/lib/mfgplatform/backups

WORKDIR /app
COPY requirements.lock .
RUN pip install -r requirements.lock
COPY . .
# collectstatic needs settings but no database or real secret.
RUN SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --no-input

USER mfg
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
