"""What an operator watches: ``/healthz`` (the process answers), ``/readyz`` (the database,
its replicas and the cache answer, the static files are there), and one JSON log line per
request with its id and time.

A load balancer sends traffic to a process while ``/readyz`` answers 200 and restarts it when
``/healthz`` stops answering. The request id is the client's or proxy's ``X-Request-ID`` when
it is a sane token, else a new one; it is returned in the response's ``X-Request-ID`` and is
in the log line, so a reader's report can be found in the logs.
"""
import json
import logging
import re
import secrets
import time

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache

from .checks import static_manifest_missing

request_log = logging.getLogger("huibian.request")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _probe_database(alias) -> str | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 — every driver error means "not ready"
        return f"{type(error).__name__}: {str(error).strip()[:200]}"
    return None


def _probe_cache() -> str | None:
    key = f"huibian-readyz-{secrets.token_hex(4)}"
    try:
        cache = caches["default"]
        cache.set(key, "1", 10)
        if cache.get(key) != "1":
            return "the cache did not return what was stored"
        cache.delete(key)
    except Exception as error:  # noqa: BLE001 — every client error means "not ready"
        return f"{type(error).__name__}: {str(error).strip()[:200]}"
    return None


@never_cache
def readyz(request):
    """200 with each part "ok", or 503 naming what is wrong."""
    parts = {f"database:{alias}": _probe_database(alias) for alias in connections
             if not alias.startswith("replica")}
    parts["cache"] = _probe_cache()
    parts["static"] = static_manifest_missing()
    ready = not any(parts.values())
    # A replica that is away is skipped by the router: reported, not a reason to take this
    # process out of the load balancer.
    replicas = {f"database:{alias}": _probe_database(alias) or "ok" for alias in connections
                if alias.startswith("replica")}
    return JsonResponse(
        {"status": "ok" if ready else "unavailable",
         **{name: problem or "ok" for name, problem in parts.items()}, **replicas},
        status=200 if ready else 503,
    )


class RequestLogMiddleware:
    """One JSON line per request on the ``huibian.request`` logger: id, method, path, status,
    milliseconds, user id; ``X-Request-ID`` on the response. Responses made for a signed-in
    user are ``Cache-Control: private`` (they may hold members-only text or a user's name)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _REQUEST_ID_RE.match(incoming) else secrets.token_hex(8)
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
        finally:
            user = getattr(request, "user", None)
            request_log.info(json.dumps({
                "id": request.id, "method": request.method, "path": request.path,
                "status": status, "ms": round((time.perf_counter() - started) * 1000, 1),
                "user": user.pk if user is not None and user.is_authenticated else None,
            }, ensure_ascii=False))
        response["X-Request-ID"] = request.id
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
