"""Test settings: the real settings, with a fast password hasher and plain static storage."""
import os
import tempfile

from compilation.settings import *  # noqa: F401,F403
from compilation.settings import DATABASES, REST_FRAMEWORK, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests run with DEBUG off but without collectstatic; let whitenoise find files on request.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, as in production, not Django's in-memory default: search reads the counts of a
    # large library on several connections at once (``articles.search.sqlite``), and other
    # connections share a file. One per test process, so two runs never meet.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"huibian-test-{os.getpid()}.sqlite3"),
    }

# The suite makes thousands of anonymous API requests from one address; the limit itself is
# tested with its own rate (tests/test_read_api.py).
REST_FRAMEWORK = {**REST_FRAMEWORK,
                  "DEFAULT_THROTTLE_RATES": {"anon": "1000000/min"}}
# Workbench downloads are limited per reader; the limit has its own test (tests/workbench).
WORKBENCH_EXPORT_RATE = "1000000/min"
