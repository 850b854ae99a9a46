"""WSGI entry point (served by granian: `tupo serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tupo.config.settings")
application = get_wsgi_application()
