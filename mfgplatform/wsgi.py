"""WSGI entry point (gunicorn mfgplatform.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mfgplatform.settings")
application = get_wsgi_application()
