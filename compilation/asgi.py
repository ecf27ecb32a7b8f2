"""ASGI entry point."""
import gc
import os

from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compilation.settings")
application = get_asgi_application()
get_resolver().url_patterns  # noqa: B018 -- import every view now, not on the first request
gc.freeze()  # as in wsgi.py: long-lived objects out of the full collections
