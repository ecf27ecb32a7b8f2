"""Writes of compilations: the form, publishing (one meaning by every route), 目录 rows,
scheduled releases."""
from django.utils.translation import gettext as _

from ..models import Article, Compilation, Status, TocEntry
from .articles import REASON_EDIT, _publishing
from .core import Write, check_version, joined, locked

REASON_RELEASE = "定时发布到期"


def _publish_articles(write: Write, compilation) -> int:
    """Publish the draft articles of a compilation being published; an empty publish time
    takes the compilation's. Returns how many changed."""
    changed = 0
    for article in locked(compilation.articles.filter(status=Status.DRAFT)):
        values = {"status": Status.PUBLISHED,
                  "published_at": article.published_at or compilation.published_at}
        if write.change(article, _publishing(values, article, write.now)):
            changed += 1
    return changed


def _is_public(status) -> bool:
    return status in (Status.PUBLISHED, Status.SCHEDULED)


def compilation_save(*, compilation_id=None, values: dict, expected_version=None, user=None,
                     reason: str = REASON_EDIT) -> tuple[Compilation, list[str], int]:
    """Save an editor's values over the compilation opened at ``expected_version`` (or
    create one). Publishing it (已发布 or 定时发布 where it was a draft) publishes its draft
    articles. Returns (compilation, changed fields, articles published)."""
    with Write(user=user, reason=reason) as write:
        if compilation_id is None:
            compilation = Compilation()
            for name, value in _publishing(values, compilation, write.now).items():
                setattr(compilation, name, value)
            write.create([compilation], reason=_("新建"))
            return compilation, list(values), 0
        current = check_version(Compilation, compilation_id, expected_version)
        was_public = _is_public(current.status)
        changed = write.change(current, _publishing(values, current, write.now))
        published = 0
        if not was_public and _is_public(current.status):
            published = _publish_articles(write, current)
    return current, changed, published


def compilations_publish(*, compilations, user=None, reason: str = "发布汇编",
                         write=None) -> tuple[int, int]:
    """Publish compilations and their draft articles (a publish time still to come keeps
    them 定时发布). Returns (compilations changed, articles changed); also publishes the
    articles of a compilation that was already published. ``write``: part of a larger write
    (an import)."""
    with joined(write, user=user, reason=reason) as write:
        changed = articles = 0
        for compilation in locked(compilations):
            values = _publishing({"status": Status.PUBLISHED}, compilation, write.now)
            if compilation.status == Status.SCHEDULED:
                values = {}
            if write.change(compilation, values):
                changed += 1
            articles += _publish_articles(write, compilation)
    return changed, articles


def compilations_unpublish(*, compilations, user=None, reason: str = "撤回汇编") -> tuple[int, int]:
    """Make compilations drafts again: their articles leave every public route with them
    (their own status is kept for the next publication). Returns (compilations changed,
    articles no longer public)."""
    with Write(user=user, reason=reason) as write:
        changed = hidden = 0
        for compilation in locked(compilations):
            if compilation.status == Status.PUBLISHED:
                hidden += compilation.articles.filter(status=Status.PUBLISHED).count()
            if write.change(compilation, {"status": Status.DRAFT}):
                changed += 1
    return changed, hidden


def toc_entries_save(*, compilation_id, saved: list, deleted: list, user=None) -> None:
    """Apply an editor's changes to a compilation's 目录 rows (``saved``: unsaved TocEntry
    objects, new or changed; ``deleted``: entries). The compilation's version moves and its
    history records the edit."""
    if not saved and not deleted:
        return
    with Write(user=user, reason=_("编辑目录")) as write:
        compilation = check_version(Compilation, compilation_id, None)
        write.delete_rows(TocEntry.objects.filter(
            compilation=compilation, pk__in=[e.pk for e in deleted if e.pk]))
        new = [entry for entry in saved if entry.pk is None]
        for entry in saved:
            if entry.pk is not None:
                values = {f.name: getattr(entry, f.attname) for f in TocEntry._meta.concrete_fields
                          if not f.primary_key}
                current = TocEntry.objects.select_for_update().get(pk=entry.pk)
                write.change(current, values)
        for entry in new:
            entry.compilation = compilation
        write.create(new)
        write.touch(compilation)


def release_due() -> int:
    """Publish what was scheduled for now or earlier (compilations and articles); called by
    the first request after the time (``library.read_version``). Returns how many."""
    with Write(user=None, reason=REASON_RELEASE) as write:
        released = 0
        for model in (Compilation, Article):
            for row in locked(model.objects.filter(status=Status.SCHEDULED,
                                                   published_at__lte=write.now)):
                if write.change(row, {"status": Status.PUBLISHED}):
                    released += 1
        write.refresh_release()
    return released
