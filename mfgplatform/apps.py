from django.apps import AppConfig


class MfgPlatformConfig(AppConfig):
    """The shared layer: conformed dimensions, audit log, KPI catalog, operations."""

    name = "mfgplatform"
    verbose_name = "Platform (shared dimensions)"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="mfgplatform.sync_roles")
        # Audit-log receivers for logins and permission changes (not row edits; those are history).
        from . import audit_signals

        # Celery autodiscovers only `<app>.tasks`; the import tasks live in a subpackage.
        from .imports import tasks  # noqa: F401

        audit_signals.connect()
        # The database check that refuses a plant calendar changed behind the history's back.
        from . import checks  # noqa: F401

        # The operations admin (reports, view refresh state, status page) and the ingest API's data
        # sources live in their own modules.
        from .ingest import admin as ingest_admin  # noqa: F401
        from .operations import admin as operations_admin  # noqa: F401
