"""WSGI entry point."""
import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compilation.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 -- import every view now, not on the first request
# What is loaded by now lives as long as the process: keep it out of the garbage collector's
# full collections, which would otherwise walk it (~90,000 objects, ~30 ms on our 2-core
# machine) in the middle of some request every so often.
gc.freeze()
