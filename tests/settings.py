"""Test settings: the real settings, with a fast password hasher and plain static storage."""
from compilation.settings import *  # noqa: F401,F403
from compilation.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests run with DEBUG off but without collectstatic; let whitenoise find files on request.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
