"""The one door for content writes: ``Write``, and the refusal of a stale one.

A service opens a ``Write`` (a transaction), locks and reads the rows it changes, checks the
version each caller saw (``check_version``), and hands ``Write`` its changes. On leaving,
``Write`` writes them in bulk and does what every write owes the rest of the site, once:

- every changed row gets ``version = version + 1`` (re-orderings included) and its
  ``updated_at``; an unchanged value is no change, so a save that changes nothing writes
  nothing, keeps the version and adds no history row;
- one history row per changed, created or deleted record, with the user and the reason
  (编辑保存, 批量发布, 重新导入《…》 …), written with one bulk insert per model;
- the search index of the articles whose title, headings, text or members-only flag changed
  (the index hook of every write: ``search.forget`` before the rows change, with their old
  values, and ``search.index_written`` after; deletions are forgotten as Django deletes);
- the library version (``library.mark_changed``), and the next scheduled release when a
  publication changed.

Nothing outside ``articles/services/`` writes content rows (``tests/test_write_path.py``
checks the source).
"""
import contextlib
import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import localize
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .. import library
from ..models import Article, Compilation, Status

REASON_MAX = 100  # django-simple-history's history_change_reason column
INDEXED_FIELDS = {"title", "sections", "original_text", "text", "members_only"}
DIFF_SKIPPED = {"text", "sections", "checksum", "chars", "updated_at", "created_at", "version"}


def normalise_value(field, value):
    """The form of a value as it is stored: line endings in text as LF, datetimes to the
    second (admin forms show seconds), so re-saving what a form showed changes nothing."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    return value


def same_value(old, new) -> bool:
    """Equal as stored: a datetime that a form cut to the second equals the stored one."""
    if isinstance(old, datetime.datetime) and isinstance(new, datetime.datetime):
        return old.replace(microsecond=0) == new.replace(microsecond=0)
    return old == new


class StaleWrite(Exception):
    """A write refused because the record changed (or went) since the caller read it.

    ``str()`` is the Chinese message naming who changed it and when; ``changes()`` the
    field diff between the version the caller saw and the current one."""

    def __init__(self, model, pk, expected, current=None):
        self.model, self.pk, self.expected, self.current = model, pk, expected, current
        super().__init__(self.message())

    def _records(self):
        history = getattr(self.model, "history", None)
        if history is None or self.current is None:
            return None, None
        records = history.filter(**{self.model._meta.pk.attname: self.pk})
        latest = records.select_related("history_user").order_by("-history_id").first()
        seen = None
        if self.expected is not None:
            seen = records.filter(version=self.expected).order_by("-history_id").first()
        return latest, seen

    def message(self) -> str:
        if self.current is None:
            return _("该记录已被他人删除，您的修改未保存。")
        latest, _seen = self._records()
        who = latest.history_user.get_username() if latest and latest.history_user else _("其他人")
        when = localize(localtime(latest.history_date)) if latest else ""
        reason = latest.history_change_reason if latest else ""
        reason = f"（{reason}）" if reason else ""
        return _(
            "保存被拒绝：在您打开此页面之后，%(who)s 已于 %(when)s 修改了这条记录%(reason)s"
            "（当前版本 %(version)s）。为避免覆盖他人的修改，您的内容没有保存，仍保留在下面的表单中；"
            "请对照下列改动，重新打开本页后再应用您的修改。"
        ) % {"who": who, "when": when, "reason": reason, "version": self.current.version}

    def changes(self) -> list[tuple[str, str, str]]:
        """(field label, value the caller saw, value now) for each field changed since."""
        latest, seen = self._records()
        if latest is None or seen is None:
            return []
        rows = []
        for field in self.model._meta.concrete_fields:
            if field.attname in DIFF_SKIPPED or field.primary_key:
                continue
            old, new = getattr(seen, field.attname, None), getattr(latest, field.attname, None)
            if not same_value(old, new):
                rows.append((str(field.verbose_name), _shown(field, seen), _shown(field, latest)))
        return rows


def _shown(field, record, limit=80) -> str:
    value = getattr(record, field.name if field.is_relation else field.attname, None)
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        return localize(localtime(value))
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def check_version(model, pk, expected):
    """The current row of ``model`` ``pk``, locked until the transaction ends; ``StaleWrite``
    when it is gone or its version is not ``expected`` (``None`` skips the comparison: a
    service acting on what it read itself, under the lock)."""
    current = model.objects.select_for_update().filter(pk=pk).first()
    if current is None or (expected is not None and int(expected) != current.version):
        raise StaleWrite(model, pk, expected, current)
    return current


def locked(queryset):
    """The rows of ``queryset``, locked, in primary-key order (so two writers never wait for
    each other crosswise). Re-selected by key: the caller's queryset may join relations."""
    model = queryset.model
    rows = model.objects.filter(pk__in=queryset.values("pk")).select_for_update()
    return list(rows.order_by("pk"))


class Write:
    """One service call's changes, written and recorded together (see the module docstring).

    Use as a context manager; ``change``/``create``/``delete`` queue or make the writes,
    ``__exit__`` finishes them in the same transaction.
    """

    def __init__(self, *, user=None, reason: str):
        self.user = user if user is not None and user.is_authenticated else None
        self.reason = reason[:REASON_MAX]
        # Values written are to the second (forms show seconds); history dates keep their
        # microseconds, so history rows stay in the order they were written.
        self.now = timezone.now().replace(microsecond=0)
        self._changed = {}  # (model, pk) -> (obj, set of field names)
        self._created = defaultdict(list)
        self._new = set()  # id() of the objects in _created
        self._deleted = 0
        self._links = False
        self._wrote = False
        self._release = False
        self._reindex = set()
        self._atomic = transaction.atomic()
        self._signals = contextlib.ExitStack()
        self._signalled = [False]  # rows saved by code that tells only the model signals

    def __enter__(self):
        from compilation.replicas import use_primary

        use_primary()  # the rest of this request reads what it writes
        self._atomic.__enter__()
        self._signalled = self._signals.enter_context(library.deferring())
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            try:
                self.finish()
            except BaseException as exc:
                kind, value, traceback = type(exc), exc, exc.__traceback__
                self._signals.close()
                self._atomic.__exit__(kind, value, traceback)
                raise
        self._signals.close()
        return self._atomic.__exit__(kind, value, traceback)

    # -- queueing -----------------------------------------------------------------------------

    def change(self, obj, values: dict, *, reason: str | None = None) -> list[str]:
        """Apply ``values`` to ``obj`` (its current row, read under a lock) and queue the
        fields that really change; returns their names (empty: nothing to write)."""
        changed = []
        for name, value in values.items():
            field = obj._meta.get_field(name)
            attname = field.attname
            value = normalise_value(field, value)
            if field.is_relation and hasattr(value, "pk"):
                value = value.pk
            if same_value(getattr(obj, attname), value):
                continue
            setattr(obj, attname, value)
            changed.append(attname)
        if changed and id(obj) in self._new:
            # Created by this write, its history not written yet: its creation is recorded
            # with these values, as one row.
            type(obj).objects.filter(pk=obj.pk).update(**{n: getattr(obj, n) for n in changed})
            self._notice_schedule(obj, changed)
        elif changed:
            self._queue(obj, changed, reason)
        return changed

    def _queue(self, obj, fields, reason):
        key = (type(obj), obj.pk)
        if key in self._changed:
            stored, queued = self._changed[key]
            if stored is not obj:  # the same row read again: its new values join the queue
                for name in fields:
                    setattr(stored, name, getattr(obj, name))
            queued.update(fields)
        else:
            self._changed[key] = (obj, set(fields))
        if reason:
            obj._change_reason = reason[:REASON_MAX]
        self._notice_schedule(obj, fields)
        if isinstance(obj, Article) and INDEXED_FIELDS & set(fields):
            self._reindex.add(obj.pk)

    def create(self, objs: list, *, reason: str | None = None, batch_size=500) -> list:
        """Insert new rows in bulk, each with its creation in the history."""
        if not objs:
            return objs
        model = type(objs[0])
        for obj in objs:
            if hasattr(obj, "published_at") and obj.published_at is not None:
                obj.published_at = obj.published_at.replace(microsecond=0)
            if reason:
                obj._change_reason = reason[:REASON_MAX]
            self._notice_schedule(obj, ())
        model.objects.bulk_create(objs, batch_size=batch_size)
        self._created[model].extend(objs)
        self._new.update(id(obj) for obj in objs)
        if model is Article:
            self._reindex.update(obj.pk for obj in objs)
        return objs

    def create_links(self, model, pairs) -> None:
        """Insert tagging rows (article id, tag id) with one executemany: thousands of tiny
        rows, where building model instances would cost more than the insert. Their history
        is the article's ``theme_names``/``initiative_names``, which the caller changes."""
        if not pairs:
            return
        meta = model._meta
        qn = connection.ops.quote_name
        sql = (f"INSERT INTO {qn(meta.db_table)} ({qn(meta.get_field('content_object').column)}, "
               f"{qn(meta.get_field('tag').column)}) VALUES (%s, %s)")
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(pairs))
        self._links = True

    def delete_rows(self, queryset) -> int:
        """Delete rows that have no history of their own (tag links, 目录 entries)."""
        count, _by_model = queryset.delete()
        self._deleted += count
        return count

    def delete(self, obj, *, reason: str | None = None) -> None:
        """Delete one record; its history gets the deletion with the user and the reason."""
        obj._change_reason = (reason or self.reason)[:REASON_MAX]
        if self.user is not None:
            obj._history_user = self.user
        obj.delete()
        self._deleted += 1

    def touch(self, obj, *, reason: str | None = None) -> None:
        """A new version and a history row for ``obj`` whose dependants changed (its 目录)."""
        self._queue(obj, [], reason)

    def refresh_release(self) -> None:
        """Record the next scheduled release (when nothing else was written, too)."""
        self._release = True

    def _notice_schedule(self, obj, fields) -> None:
        # The next release can only move when a publication changes or a row is scheduled.
        scheduled = getattr(obj, "status", None) == Status.SCHEDULED
        if scheduled or {"status", "published_at"} & set(fields):
            self._release = True

    def move_out_of_the_way(self, queryset, field="position", offset=1_000_000) -> None:
        """Shift a unique column of some rows out of range before they are renumbered (the
        final numbers are queued with ``change`` and written, versioned, at the end)."""
        queryset.update(**{field: F(field) + offset})

    # -- finishing ----------------------------------------------------------------------------

    @property
    def wrote(self) -> bool:
        return bool(self._wrote or self._changed or self._created or self._deleted or self._links)

    def flush(self) -> None:
        """Write the queued changes and the history of what was created so far (before a
        delete that needs them, say); ``finish`` does it too."""
        by_model = defaultdict(list)
        for (model, _pk), (obj, fields) in self._changed.items():
            by_model[model].append((obj, fields))
        for model, items in by_model.items():
            self._update(model, items)
        for model, objs in self._created.items():
            history = getattr(model, "history", None)
            if history is not None:
                history.bulk_history_create(
                    objs, batch_size=500, default_user=self.user,
                    default_change_reason=self.reason, default_date=timezone.now(),
                )
        if self._changed or self._created:
            self._wrote = True
        self._changed, self._created, self._new = {}, defaultdict(list), set()

    def finish(self) -> None:
        self.flush()
        if self._reindex:
            from ..search import index_written

            index_written(sorted(self._reindex))
        if self.wrote or self._release or self._signalled[0]:
            if self._release:
                library.mark_changed(next_release_at=next_release())
            else:
                library.mark_changed()
        self._reindex = set()

    def _update(self, model, items) -> None:
        if model is Article:
            from ..search import forget

            forget([obj.pk for obj, fields in items if INDEXED_FIELDS & set(fields)])
        has_version = any(f.name == "version" for f in model._meta.concrete_fields)
        has_updated = any(f.name == "updated_at" for f in model._meta.concrete_fields)
        groups = defaultdict(list)
        for obj, fields in items:
            groups[frozenset(fields)].append(obj)
        for fields, objs in groups.items():
            names = sorted(fields)
            old_versions = {}
            for obj in objs:
                if has_version:
                    old_versions[obj.pk] = obj.version
                    obj.version = F("version") + 1
                if has_updated:
                    obj.updated_at = self.now
            extra = (["version"] if has_version else []) + (["updated_at"] if has_updated else [])
            model.objects.bulk_update(objs, names + extra, batch_size=500)
            for obj in objs:
                if has_version:
                    obj.version = old_versions[obj.pk] + 1
        history = getattr(model, "history", None)
        if history is not None:
            history.bulk_history_create(
                [obj for obj, _fields in items], batch_size=500, update=True,
                default_user=self.user, default_change_reason=self.reason,
                default_date=timezone.now(),
            )


def joined(write, *, user, reason):
    """The caller's ``Write`` when a service is part of a larger one (an import publishing
    what it imported), else a new one."""
    if write is None:
        return Write(user=user, reason=reason)
    write.flush()  # what the service reads must include what the larger write did so far
    return contextlib.nullcontext(write)


def next_release():
    """The earliest publish time still scheduled, of an article or a compilation."""
    times = [
        model.objects.filter(status=Status.SCHEDULED).order_by("published_at")
        .values_list("published_at", flat=True).first()
        for model in (Article, Compilation)
    ]
    times = [t for t in times if t is not None]
    return min(times) if times else None
