"""mfgplatform: ISO 22400 / ISO 9001 / ISO 14224 manufacturing analytics."""

from .celery import app as celery_app

__all__ = ["celery_app"]
