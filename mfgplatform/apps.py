from django.apps import AppConfig


class MfgPlatformConfig(AppConfig):
    """The shared layer: conformed dimensions, audit log, KPI catalog, operations."""

    name = "mfgplatform"
    verbose_name = "Platform (shared dimensions)"
