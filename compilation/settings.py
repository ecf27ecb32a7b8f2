"""Settings for Huibian, read from the environment with safe local defaults.

DATABASE_URL unset → a SQLite file in the repository root; ``postgres://…`` →
PostgreSQL through psycopg 3. With DEBUG off a real SECRET_KEY is required.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if not IS_POSTGRES:
    # WAL lets readers go on while an import writes; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# DATABASE_REPLICA_URLS: PostgreSQL streaming replicas, comma-separated (compilation.replicas:
# readers' GETs read from one, writes, the admin and a writer's next seconds the primary).
REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
for _n, _url in enumerate(REPLICA_URLS, 1):
    DATABASES[f"replica{_n}"] = dj_database_url.parse(
        _url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
    DATABASES[f"replica{_n}"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES[f"replica{_n}"]["TEST"] = {"MIRROR": "default"}
REPLICA_MAX_LAG = float(os.environ.get("REPLICA_MAX_LAG", "5"))  # seconds
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", "5"))
if REPLICA_URLS:
    DATABASE_ROUTERS = ["compilation.replicas.ReplicaRouter"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    "simple_history",
    "axes",
    "django_q",
    "articles",
]
if IS_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")

MIDDLEWARE = [
    "compilation.observability.RequestLogMiddleware",
    "compilation.security.AnonymousBodyLimitMiddleware",
    *(["compilation.replicas.ReplicaMiddleware"] if REPLICA_URLS else []),
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "articles.library.LibraryStateMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# Content-Security-Policy (django-csp): scripts and styles from our own origin only (no inline
# script anywhere: the API docs load their set-up script from a URL too); inline style
# attributes are allowed (the admin uses some); no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "compilation.urls"
# Where the admin lives (ADMIN_URL, e.g. "backstage-7f3a/"): not where every scanner looks.
ADMIN_URL = (os.environ.get("ADMIN_URL") or "admin/").strip("/") + "/"
# Bodies of anonymous requests (no session cookie: the login form, the search API's POST-less
# clients) above this many bytes are refused before they are read or spooled to disk.
ANONYMOUS_BODY_MAX = int(os.environ.get("ANONYMOUS_BODY_MAX", str(64 * 1024)))

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "compilation.wsgi.application"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins an account, and
# separately an address, is locked for AXES_COOLOFF_MINUTES (login page and admin alike);
# a locked attempt is refused before any password is hashed. Behind a proxy that sets
# X-Forwarded-For, AXES_PROXY_COUNT=1 makes the address the client's, not the proxy's.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "compilation.security.locked_out"
AXES_VERBOSE = False
if os.environ.get("AXES_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["AXES_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "compilation.security.MinimumLengthValidator"},  # its message in Chinese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # Local runs need no collectstatic; production serves hashed, compressed files.
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Mail (readers' password resets): printed to the console in development, SMTP in production.
# EMAIL_TIMEOUT bounds each SMTP call, so a dead mail server costs a worker seconds, not minutes;
# a reset whose mail fails says so on the page (articles/views/accounts.py).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both.")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT")
                 or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))  # seconds
# Password reset requests allowed an hour per e-mail address and per network address.
PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_PER_ADDRESS", "3"))
PASSWORD_RESET_PER_IP = int(os.environ.get("PASSWORD_RESET_PER_IP", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Uploads: an import file may be up to 20 MB; larger bodies are refused before parsing.
HUIBIAN_IMPORT_MAX_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
# The preview's confirm posts six fields per article (thousands in a large file); Django's
# default of 1,000 refused any file over ~160 articles with a 400. Anonymous bodies stay
# bounded by ANONYMOUS_BODY_MAX.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200_000
# Where an upload waits between preview and confirm: the web and the imports worker
# processes must both see it (one directory on one machine, a shared volume across several;
# not a per-service private /tmp).
HUIBIAN_IMPORT_STAGING = os.environ.get("HUIBIAN_IMPORT_STAGING", "")
# Uploads holding more text than this (as the importer counts them: a .docx by its unpacked
# document, a PDF page as 24 KB; articles/importer/size.py) are previewed and imported by a
# background job, not in the request. The confirm is the slower half (it writes): through
# the admin on this 2-core machine, 1 MB took 1.35-1.5 s on SQLite (1.5 MB: 2.5 s), 256 KB
# 1.0 s on PostgreSQL (500 KB: 2.1-2.2 s), whose writes are about three times slower.
HUIBIAN_IMPORT_JOB_BYTES = int(os.environ.get("HUIBIAN_IMPORT_JOB_BYTES")
                               or (256 * 1024 if IS_POSTGRES else 1024 * 1024))

# Background jobs (django-q2, ORM broker: the queue is a table in this database; see
# articles/jobs/). A job's queue row is locked for `retry` seconds when a worker takes it, so
# `retry` is also how long a job whose worker died waits before it runs again, and it must
# exceed `timeout` (the longest a job may run), or a running job is started a second time.
# Long imports have their own cluster (Q_CLUSTER_NAME=imports python manage.py qcluster).
JOBS_TIMEOUT = int(os.environ.get("JOBS_TIMEOUT", "300"))
JOBS_RETRY = int(os.environ.get("JOBS_RETRY", str(JOBS_TIMEOUT + 60)))
# An import's confirm writes ~0.6 MB/s on SQLite, ~0.25 MB/s on PostgreSQL (measured above),
# so the largest upload (20 MB) takes 1-2 minutes; 15 leave room for a loaded machine, and a
# crashed import runs again 16 minutes later.
IMPORT_JOBS_TIMEOUT = int(os.environ.get("IMPORT_JOBS_TIMEOUT", "900"))
IMPORT_JOBS_RETRY = int(os.environ.get("IMPORT_JOBS_RETRY", str(IMPORT_JOBS_TIMEOUT + 60)))
for _timeout, _retry, _names in ((JOBS_TIMEOUT, JOBS_RETRY, "JOBS_"),
                                 (IMPORT_JOBS_TIMEOUT, IMPORT_JOBS_RETRY, "IMPORT_JOBS_")):
    if _retry <= _timeout:
        raise ImproperlyConfigured(
            f"{_names}RETRY ({_retry}) must be greater than {_names}TIMEOUT ({_timeout}): "
            "a job still running after RETRY seconds is started a second time.")
# A running import touches a file beside the staged uploads every IMPORT_JOBS_HEARTBEAT
# seconds; six missed and its progress page says the worker was cut off.
IMPORT_JOBS_HEARTBEAT = float(os.environ.get("IMPORT_JOBS_HEARTBEAT", "5"))
IMPORT_JOBS_CLUSTER = "imports"
Q_CLUSTER = {
    "name": "huibian",
    "orm": "default",
    "workers": int(os.environ.get("JOBS_WORKERS", "2")),
    "timeout": JOBS_TIMEOUT,
    "retry": JOBS_RETRY,
    "max_attempts": 2,  # a failing job runs twice, then stays in the admin's failed tasks
    "ack_failures": False,
    "poll": float(os.environ.get("JOBS_POLL", "0.5")),  # seconds between looks at the queue
    "save_limit": 1000,  # successful results kept; failures are all kept
    "catch_up": False,  # after downtime a missed schedule runs once, not once per miss
    "label": _("后台任务"),
    "ALT_CLUSTERS": {
        IMPORT_JOBS_CLUSTER: {
            "workers": int(os.environ.get("IMPORT_JOBS_WORKERS", "1")),
            "timeout": IMPORT_JOBS_TIMEOUT,
            "retry": IMPORT_JOBS_RETRY,
            "scheduler": False,
        },
    },
}
# SITE_URL: the site's address (https://…) for links in mails; without it the daily digest
# is not scheduled (articles/jobs/schedules.py).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# Unicode slugs for Chinese tag names are taggit's default; keep them.
TAGGIT_CASE_INSENSITIVE = True
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = False
TAGGIT_TAGS_FROM_STRING = "articles.tagging.parse_tags"
TAGGIT_STRING_FROM_TAGS = "articles.tagging.join_tags"

SIMPLE_HISTORY_REVERT_DISABLED = False

# The read API (articles/api): JSON only, session authentication (CSRF as Django does it),
# anonymous clients rate-limited per address (API_ANON_RATE, e.g. "120/min").
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "汇编库 API",
    "DESCRIPTION": "材料汇编、文章、机关、主题、举措与全文检索（只读）。会员文章的全文仅对会员开放。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The documentation page's scripts are served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Facet counts and fragments are cached under the library version, a number in the database
# that every write moves (articles/library.py), so each process's own memory cache is exact.
# CACHE_DIR lets worker processes share what they computed (fewer recomputations), nothing more.
# Two caches: ``default`` for computed counts, fragments, rate limits (and sessions with
# Redis), ``pages`` for whole pages shown to anonymous readers (``articles.pagecache``), kept
# apart so that pages, being large, never push the counts out of a local cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "huibian",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "huibian-pages",
        "OPTIONS": {"MAX_ENTRIES": 500},  # ~50 KB a page: ~25 MB per process at most
    },
}
if os.environ.get("CACHE_DIR"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ["CACHE_DIR"],
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.path.join(os.environ["CACHE_DIR"], "pages"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
PAGE_CACHE = env_bool("PAGE_CACHE", True)  # whole pages for anonymous readers
# REDIS_URL: one cache for every process and machine (Django's Redis backend): computed
# counts and fragments, the API's rate limits and the sessions (cached_db: read from Redis,
# written through to the database, so a lost cache logs nobody out), and the pages.
if os.environ.get("REDIS_URL"):
    for alias, suffix in (("default", ""), ("pages", ":pages")):
        CACHES[alias] = {
            "BACKEND": "compilation.cache.TolerantRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "huibian") + suffix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer probes the process itself, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Everything to stderr, where gunicorn's and a container's logs go: warnings and errors
# (Django's, with tracebacks of 500s), and one JSON line per request (huibian.request,
# REQUEST_LOG=0 turns it off).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "line": {"format": "%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"},
                 "requests": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # The job workers say when they start and stop and what each job did.
        "django-q": {"level": "INFO"},
        "huibian.request": {
            "handlers": ["requests"], "propagate": False,
            "level": "INFO" if env_bool("REQUEST_LOG", not DEBUG) else "WARNING",
        },
    },
}
