"""Writes that touch several rows or models, each in one transaction."""
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .facets import bump_library_version
from .models import Agency, Article, Status, Theme


@transaction.atomic
def agency_merge(*, keep: Agency, merge: list[Agency]) -> int:
    """Move every article of the agencies in ``merge`` to ``keep`` and delete them.

    Returns the number of articles moved. Each moved article gets a history record.
    """
    others = [agency for agency in merge if agency.pk != keep.pk]
    articles = list(Article.objects.select_for_update().filter(agency__in=others))
    for article in articles:
        article.agency = keep
        article.version += 1
    bulk_update_with_history(articles, Article, ["agency", "version"], batch_size=500)
    Agency.objects.filter(pk__in=[agency.pk for agency in others]).delete()
    bump_library_version()  # bulk updates send no signals
    return len(articles)


@transaction.atomic
def articles_set_status(*, articles, status: str) -> int:
    """Publish or unpublish articles; publishing stamps published_at where it is empty."""
    changed = []
    now = timezone.now()
    # Re-select by key: the caller's queryset may join relations that cannot be locked.
    locked = Article.objects.filter(pk__in=articles.values("pk")).select_for_update()
    for article in locked:
        if article.status == status:
            continue
        article.status = status
        if status == Status.PUBLISHED and article.published_at is None:
            article.published_at = now
        article.version += 1
        changed.append(article)
    bulk_update_with_history(
        changed, Article, ["status", "published_at", "version"], batch_size=500
    )
    bump_library_version()  # bulk updates send no signals
    return len(changed)


@transaction.atomic
def articles_add_theme(*, articles, theme: Theme) -> int:
    """Tag every given article with ``theme``; returns how many were not tagged before."""
    through = Article.themes.through
    already = set(
        through.objects.filter(tag=theme, content_object__in=articles).values_list(
            "content_object_id", flat=True
        )
    )
    new = [
        through(tag=theme, content_object_id=pk)
        for pk in articles.values_list("pk", flat=True)
        if pk not in already
    ]
    through.objects.bulk_create(new, batch_size=500)
    bump_library_version()  # bulk inserts send no signals
    return len(new)
