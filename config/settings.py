"""Settings for mfgplatform, all read from the environment.

A `.env` file at the repository root is read when present (`make services` writes the local
service URLs there); `.env.example` documents every variable. Defaults are safe for production:
DEBUG is off and SECRET_KEY is required unless DEBUG is on.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example)")
    SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin with the apps of its index in domain order (workbench/admin_site.py).
    "workbench.admin_site.WorkbenchAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "django_celery_results",
    "axes",
    # Apps in dependency order: shared layer <- equipment <- domains <- ontology <- development data.
    # docs/architecture.md draws the map.
    "mfgplatform",
    "equipment",
    "production",
    "quality",
    "reliability",
    "ontology",
    "devdata",
    # Browser pages on the KPI service; after the domain apps, whose workbench_pages it includes. Last:
    # the roles are completed after the last app's post_migrate (mfgplatform.roles).
    "workbench",
]

# Messages stay on the server (the session), not in a signed but readable cookie: one of them carries
# a data source's one-time ingest token.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Query parameters no column can hold are a 400 for every page (mfgplatform.bounds).
    "mfgplatform.bounds.RefuseUnstorableQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
    # Innermost, so that its process_exception sees a view's database fault before any catch-all
    # error handler: a transient fault answers 503 with Retry-After, never a server error.
    "mfgplatform.db_faults.DatabaseFaultMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: PostgreSQL with the TimescaleDB extension ------------------------------------
# django-timescaledb's backend is Django's PostgreSQL backend plus `CREATE EXTENSION timescaledb`
# and a schema editor that turns models with a TimescaleDateTimeField into hypertables.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default="postgres://postgres@127.0.0.1:5433/mfgplatform",
        engine="timescale.db.backends.postgresql",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_mfgplatform")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Time: stored in UTC, the plant's zone decides dates and shifts ---------------------------
USE_TZ = True
TIME_ZONE = "UTC"
PLANT_TIME_ZONE = env.str("PLANT_TIME_ZONE", default="UTC")
# A production day starts at this local time and runs 24 h (docs/kpi.md, "Calendar").
PRODUCTION_DAY_START = env.str("PRODUCTION_DAY_START", default="06:00")
# First month of the fiscal year (1 = January, 4 = April, 10 = October, ...).
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=1)
# Calendar rows loaded into dim_date by the reference-data migration; `manage.py load_calendar`
# extends the range later without a migration.
CALENDAR_START_DATE = env.str("CALENDAR_START_DATE", default="2020-01-01")
CALENDAR_END_DATE = env.str("CALENDAR_END_DATE", default="2030-12-31")
# ISO 3166 country whose public holidays become non-working days (empty: weekends only).
CALENDAR_HOLIDAY_COUNTRY = env.str("CALENDAR_HOLIDAY_COUNTRY", default="")
USE_I18N = True
LANGUAGE_CODE = "en-us"

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Redis and Celery ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = "django-db"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after the visibility timeout: it must exceed the longest
# hard time limit (the backup job's 51 min) and the longest retry countdown (10 min), or a running
# job is started twice. It is also how long a job whose worker's main process died waits for its
# redelivery, so it is no longer than that (docs/operations.md, "what happens when").
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_TIME_LIMIT = 3600
# Job runs are stored by django-celery-results (admin: "Task results"); extended results keep the
# task name, arguments and worker, and STARTED makes a running job visible.
CELERY_RESULT_EXTENDED = True
CELERY_TASK_TRACK_STARTED = True
# A worker that loses the broker cancels its late-acknowledged jobs so that they are redelivered
# (they are idempotent) instead of finishing without any way to acknowledge them.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Scheduled operations (mfgplatform.operations; docs/operations.md) -------
# First retry delay of a job after a transient error; it doubles per attempt (with full jitter)
# up to 10 minutes, which stays far below the visibility timeout.
JOB_RETRY_BACKOFF_SECONDS = env.int("JOB_RETRY_BACKOFF_SECONDS", default=30)
# How long a job waits for another run of itself (or the database session of a run that just
# died) to release the job lock before it gives up with the outcome "skipped".
JOB_LOCK_WAIT_SECONDS = env.int("JOB_LOCK_WAIT_SECONDS", default=5)
# A job run "started" this long ago whose job lock no session holds is lost (its worker died): the
# status page lists it and the recover-lost-work job records it (docs/operations.md).
JOB_LOST_AFTER_SECONDS = env.int("JOB_LOST_AFTER_SECONDS", default=120)
# An import attempt (in a worker or inside a web request) whose lock no session holds this long after it
# began is lost, and recover-lost-work hands the job to a worker again (mfgplatform.imports.dispatch).
IMPORT_LOST_AFTER_SECONDS = env.int("IMPORT_LOST_AFTER_SECONDS", default=30)
# Catalog files larger than this are checked and imported by a worker instead of in the request.
IMPORT_BACKGROUND_THRESHOLD_BYTES = env.int("IMPORT_BACKGROUND_THRESHOLD_BYTES", default=1024 * 1024)
# Sensor readings older than this are dropped a whole chunk at a time (drop_chunks).
SENSOR_RETENTION_DAYS = env.int("SENSOR_RETENTION_DAYS", default=400)
# Where the TimescaleDB license allows compression (not the Apache edition), chunks older than
# this are compressed.
SENSOR_COMPRESS_AFTER_DAYS = env.int("SENSOR_COMPRESS_AFTER_DAYS", default=7)
# Audit events older than this move from audit_log to gzip JSONL files in AUDIT_ARCHIVE_DIR.
AUDIT_LOG_RETENTION_DAYS = env.int("AUDIT_LOG_RETENTION_DAYS", default=730)
# Event-id receipts of the ingest API (production counts, downtime events) older than this are
# deleted: a source resending a batch later than this would land it again.
INGEST_RECEIPT_RETENTION_DAYS = env.int("INGEST_RECEIPT_RETENTION_DAYS", default=30)
# How far past now a fact's timestamp may lie (a source's clock running ahead); docs/ingest.md.
INGEST_FUTURE_TOLERANCE_SECONDS = env.int("INGEST_FUTURE_TOLERANCE_SECONDS", default=86_400)
AUDIT_ARCHIVE_DIR = Path(env.str("AUDIT_ARCHIVE_DIR", default=str(BASE_DIR / "var" / "audit-archive")))

# --- Backups (mfgplatform.backup; docs/operations.md "Backup and restore") ----------------------
# Where `manage.py backup` and the scheduled backup job write their archives.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
# The scheduled job keeps the newest BACKUP_KEEP_COUNT archives and any younger than
# BACKUP_KEEP_DAYS; older ones are deleted after a successful backup, never before.
BACKUP_KEEP_COUNT = env.int("BACKUP_KEEP_COUNT", default=7)
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=14)
# Directory of pg_dump/pg_restore/psql whose major version is at least the server's. Empty: the
# newest found on PATH, under /usr/lib/postgresql/*/bin or in the directory scripts/services.sh
# writes for the local server.
PG_CLIENT_BIN_DIR = env.str("PG_CLIENT_BIN_DIR", default="")

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A hung mail server must not block a worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mfgplatform@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Authentication and admin hardening --------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock by username *and* address: a plant behind one NAT address must not be locked out by one
# attacker or one mistyped password. Locks expire after the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

SIMPLE_HISTORY_REVERT_DISABLED = True
# Reading a row's history needs its history model's view permission on every tracked model's admin,
# including the generated and read-only ones (mfgplatform.roles says who gets it).
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
# django-import-export serves the exports and the field widgets only: imports run through
# mfgplatform.imports.engine (all-or-nothing by itself), so none of the library's import settings apply.

# --- Security (manage.py check --deploy is clean with DEBUG off) ------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes announces its configuration at every start; keep the console for real events.
    "loggers": {"axes": {"level": "WARNING"}},
}
