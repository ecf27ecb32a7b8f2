"""The library version: one number in the database that every write moves forward.

Cached counts, facet maps and rendered fragments are keyed by it (``facets.cached``), so they
are exact in every process with the default settings: a write in another process (an import
command, a second worker) is seen by the next request here, and no cache has to be shared.

- ``mark_changed()`` is called by the write services inside their transaction. The new
  version is ``max(version + 1, clock in ns)``: a version never comes back after a rolled-back
  transaction, so nothing cached under it can be mistaken for a later state.
- ``note_change()`` is what the model signals call (a save, a delete, a tag link): inside a
  write service (``deferring``) it only notes that the service must move the version when it
  finishes, once for all its rows (an import saved ~10 rows an article, each of which was an
  UPDATE of the state row); anywhere else it moves it at once.
- ``library_version()`` reads it; during a request the value is read once
  (``LibraryStateMiddleware``), so a page costs one query for it however often it asks.
- The same read notices a scheduled release that is due (``LibraryState.next_release_at``)
  and runs it (``services.release_due``) before the page is built: scheduled material appears
  at its time with no cron job and no restart.
"""
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import LibraryState

STATE_ID = 1
_request_version: ContextVar[int | None] = ContextVar("huibian_library_version", default=None)
# Inside a write service: a one-item list, set to True by ``note_change``.
_deferred: ContextVar[list | None] = ContextVar("huibian_library_deferred", default=None)


def _state():
    """(version, next_release_at) of the one state row, created on first use."""
    row = LibraryState.objects.filter(pk=STATE_ID).values_list("version", "next_release_at").first()
    if row is None:
        LibraryState.objects.get_or_create(pk=STATE_ID, defaults={"version": time.time_ns()})
        row = LibraryState.objects.filter(pk=STATE_ID).values_list(
            "version", "next_release_at").get()
    return row


def library_version() -> int:
    """The current library version (once per request; see the module docstring)."""
    version = _request_version.get()
    if version is not None:
        return version
    return read_version()


def read_version() -> int:
    """The version from the database, after releasing scheduled material that is due."""
    version, next_release_at = _state()
    if next_release_at is not None and next_release_at <= timezone.now():
        from .services import release_due

        release_due()
        version, _next = _state()
    return version


_UNCHANGED = object()


def mark_changed(*, next_release_at=_UNCHANGED) -> None:
    """Move the library version forward, in the current transaction (write services only);
    with ``next_release_at``, also record the earliest publish time still scheduled (None:
    nothing is scheduled). One UPDATE."""
    values = {"version": Greatest(F("version") + 1, Value(time.time_ns()))}
    if next_release_at is not _UNCHANGED:
        values["next_release_at"] = next_release_at
    if not LibraryState.objects.filter(pk=STATE_ID).update(**values):
        _state()
        LibraryState.objects.filter(pk=STATE_ID).update(**values)
    if _request_version.get() is not None:
        # The rest of this request reads what it wrote.
        _request_version.set(None)


def note_change() -> None:
    """A row changed: move the version now, or, inside ``deferring``, when it ends."""
    deferred = _deferred.get()
    if deferred is None:
        mark_changed()
    else:
        deferred[0] = True


@contextmanager
def deferring():
    """Collect ``note_change`` calls; yields a one-item list, True when some were made. The
    caller (``services.Write``) must then call ``mark_changed`` in the same transaction."""
    deferred = [False]
    token = _deferred.set(deferred)
    try:
        yield deferred
    finally:
        _deferred.reset(token)


IMPORT_LOCK_KEY = 0x68756962  # any constant of ours: "huib"


def import_lock() -> None:
    """Hold the import lock until the transaction ends, so that two imports of one file at
    once cannot both create it: the second waits, then finds the first's compilation.

    PostgreSQL: a transaction-level advisory lock (taken before any row lock, so it cannot
    deadlock with an editor's save). SQLite: every write transaction begins IMMEDIATE
    (settings), which already excludes any other writer until it commits."""
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "import_lock() needs a transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


class LibraryStateMiddleware:
    """Read the library version once per request (and release what is due)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_version.set(read_version())
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)
