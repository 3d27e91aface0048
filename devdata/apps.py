from django.apps import AppConfig


class DevDataConfig(AppConfig):
    """Development data: `manage.py seed_iso_compliant` and `manage.py ensure_demo_superuser`."""

    name = "devdata"
    verbose_name = "Development data"
