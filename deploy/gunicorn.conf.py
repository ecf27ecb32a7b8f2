"""gunicorn settings for Huibian: ``gunicorn -c deploy/gunicorn.conf.py compilation.wsgi``.

Read from the environment, as gunicorn's hosts set it:

- ``BIND`` (e.g. ``unix:/run/huibian.sock`` or ``127.0.0.1:8000``), else ``0.0.0.0:$PORT``
  when ``PORT`` is set, else ``127.0.0.1:8000``;
- ``WEB_CONCURRENCY``: worker processes (default: 2 per core, at least 2);
- ``GUNICORN_TIMEOUT``: seconds before a stuck worker is replaced (default 30);
- ``FORWARDED_ALLOW_IPS``: the proxies whose ``X-Forwarded-*`` headers are believed
  (gunicorn's own variable; default 127.0.0.1, a TLS proxy on loopback).

Before the first worker starts, Django's checks run with the deploy checks; an error (a
missing ``collectstatic`` with ``DEBUG=0`` among them) stops the server with its message
instead of answering every page with a 500.
"""
import multiprocessing
import os

if os.environ.get("BIND"):
    bind = [os.environ["BIND"]]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, 2 * multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, out of step, so no slow growth of memory lasts.
max_requests = 5000
max_requests_jitter = 500
# The heartbeat file in memory: a slow disk never makes gunicorn think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Requests are logged by the application (compilation.observability, one JSON line each,
# with its request id); gunicorn logs its own errors to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Load the application once in the arbiter: the workers share its memory and a broken
# configuration stops the start instead of looping over crashing workers.
preload_app = True
limit_request_line = 8190
limit_request_fields = 100


def on_starting(server):
    """Refuse to start on a configuration that would fail every request."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compilation.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("check", deploy=True, fail_level="ERROR", verbosity=0)
