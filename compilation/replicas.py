"""Read replicas (``DATABASE_REPLICA_URLS``): readers' GETs read from a PostgreSQL streaming
replica, everything else from the primary, and nobody waits on a replica that is away.

Which database a query reads from is decided per request (``ReplicaMiddleware``):

- the primary for anything but GET/HEAD/OPTIONS, for the admin, for a request that writes
  (the write services call ``use_primary`` as they start, so what follows in the request
  reads what it wrote), and for a browser's requests for ``STICKY_SECONDS`` after it wrote
  (a cookie): editors and readers always see their own writes;
- otherwise a healthy replica, taken in turn. A replica is probed at most every
  ``PROBE_SECONDS`` per process (a connection with a short timeout and one query); it is
  skipped while it is unreachable or lags the primary by more than ``REPLICA_MAX_LAG`` seconds
  (it has replayed less than the primary has written, and its last replayed transaction is
  older than that);
- a request whose replica fails in the middle is marked, the replica skipped, and the view run
  again on the primary (reader views only read), so a replica's death costs no request.

Outside a request (commands, the shell, tests) everything uses the primary.
"""
import random
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

COOKIE = "hb_primary_until"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_primary = ContextVar("huibian_read_primary", default=True)
_wrote = ContextVar("huibian_wrote", default=False)
_replica_used = ContextVar("huibian_replica_used", default=None)  # this request's replica
_health = {}  # alias → (usable, probed at)
_health_lock = threading.Lock()


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def use_primary() -> None:
    """From now on in this request, read from the primary (called by every write)."""
    _primary.set(True)
    _wrote.set(True)


def _lsn(text) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def _probe(alias) -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = _lsn(cursor.fetchone()[0])
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_last_wal_replay_lsn()::text,"
                " COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)")
            replayed, age = cursor.fetchone()
    except (OperationalError, InterfaceError):
        connections[alias].close()
        return False
    if replayed is None:  # not a standby at all: refuse to read from it
        return False
    behind = primary_lsn - _lsn(replayed)
    return behind <= 0 or age <= getattr(settings, "REPLICA_MAX_LAG", 5)


def _usable(alias) -> bool:
    now = time.monotonic()
    with _health_lock:
        usable, probed = _health.get(alias, (False, -1e9))
        if now - probed < getattr(settings, "REPLICA_PROBE_SECONDS", 2):
            return usable
        _health[alias] = (usable, now)  # one probe at a time per alias
    usable = _probe(alias)
    with _health_lock:
        _health[alias] = (usable, time.monotonic())
    return usable


def _answers(alias) -> bool:
    """One round trip on the connection this request will use (a replica may have died since
    its last probe; the middleware and the view would otherwise fail on it)."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):
        mark_down(alias)
        return False
    return True


def mark_down(alias) -> None:
    with _health_lock:
        _health[alias] = (False, time.monotonic())
    connections[alias].close()


class ReplicaRouter:
    """Reads go where the request's context says; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if _primary.get():
            return "default"
        current = _replica_used.get()
        if current is not None:
            return current
        aliases = replica_aliases()
        random.shuffle(aliases)
        for alias in aliases:
            if _usable(alias) and _answers(alias):
                _replica_used.set(alias)
                return alias
        _primary.set(True)  # none is usable: this request reads the primary
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, copied

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.sticky = getattr(settings, "REPLICA_STICKY_SECONDS", 5)

    def _reads_primary(self, request) -> bool:
        if request.method not in SAFE_METHODS or request.path.startswith(f"/{settings.ADMIN_URL}"):
            return True
        try:
            return float(request.COOKIES.get(COOKIE, "0")) > time.time()
        except ValueError:
            return False

    def __call__(self, request):
        variables = (_primary, _wrote, _replica_used)
        tokens = [var.set(value) for var, value in
                  zip(variables, (self._reads_primary(request), False, None), strict=True)]
        try:
            response = self.get_response(request)
            wrote = _wrote.get() or request.method not in SAFE_METHODS
        finally:
            for var, token in zip(variables, tokens, strict=True):
                var.reset(token)
        if wrote:
            response.set_cookie(COOKIE, f"{time.time() + self.sticky:.3f}", max_age=self.sticky,
                                httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_exception(self, request, exception):
        """A replica failed mid-request: skip it and run the view again on the primary."""
        alias = _replica_used.get()
        if alias is None or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        mark_down(alias)
        _primary.set(True)
        _replica_used.set(None)
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
