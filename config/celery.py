"""The Celery application; tasks live in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class PlatformCelery(Celery):
    def _get_backend(self):
        # The result backend (django-celery-results) is a Django model. The worker and beat set Django
        # up before they need it, but shell commands such as `celery -A config call NAME` reach it
        # first and would fail with AppRegistryNotReady.
        from django.apps import apps

        if not apps.ready and not apps.loading:
            import django

            django.setup()
        return super()._get_backend()


app = PlatformCelery("mfgplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
