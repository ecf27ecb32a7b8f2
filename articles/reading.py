"""Read-side selectors of the reader pages: neighbours in a compilation, related articles,
a compilation's contents. Each costs a fixed number of queries, bounded at 100,000 articles.
"""
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from .models import (
    Article,
    Initiative,
    TaggedInitiative,
    TaggedTheme,
    Theme,
)
from .text import TEASER_CHARS

RELATED_LIMIT = 5
_CANDIDATES = 60  # rows read per signal; bounds the cost when a theme tags half the library


def listable(user):
    """The articles of a list page for this user (``Article.objects.visible_to``)."""
    return Article.objects.visible_to(user)


def page_rows(ids):
    """The list rows of these article ids, in their order, with ``theme_list`` and
    ``initiative_list``: three queries. Fetched by id after the page's ids were read from the
    indexes (see ``listable``), instead of one query that reads wide rows while it sorts."""
    rows = {
        a.pk: a for a in Article.objects.filter(pk__in=list(ids)).for_list().prefetch_related(None)
    }
    articles = [rows[pk] for pk in ids if pk in rows]
    attach_tags(articles)
    return articles


def attach_tags(articles):
    """Set ``theme_list`` and ``initiative_list`` on each article: two queries in all.

    taggit's own prefetch builds a queryset per article, which costs more than the page's
    queries together; list pages only need names and slugs.
    """
    by_id = {a.pk: a for a in articles}
    for article in articles:
        article.theme_list, article.initiative_list = [], []
    if not by_id:
        return
    for through, attr, model in (
        (TaggedTheme, "theme_list", Theme), (TaggedInitiative, "initiative_list", Initiative)
    ):
        for article_id, pk, name, slug in (
            through.objects.filter(content_object_id__in=list(by_id))
            .order_by("tag__name")
            .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
        ):
            getattr(by_id[article_id], attr).append(model(pk=pk, name=name, slug=slug))


def neighbours(article, user):
    """The previous and next articles the user may see in the article's compilation."""
    siblings = (
        Article.objects.visible_to(user)
        .filter(compilation_id=article.compilation_id)
        .only("id", "title", "position")
    )
    previous = siblings.filter(position__lt=article.position).order_by("-position").first()
    following = siblings.filter(position__gt=article.position).order_by("position").first()
    return previous, following


def related_articles(article, user, limit=RELATED_LIMIT):
    """Published articles close to this one: a shared initiative weighs 3, the same agency 2,
    a shared theme 1. Candidates are the first few per signal in index order (the most recent
    for the agency), so a theme that tags half the library costs no more than a rare one.
    Four queries."""
    initiative_ids = [tag.pk for tag in article.initiatives.all()]
    theme_ids = [tag.pk for tag in article.themes.all()]
    score = Counter()
    if initiative_ids:
        for (article_id,) in (
            TaggedInitiative.objects.filter(tag_id__in=initiative_ids)
            .exclude(content_object_id=article.pk)
            .order_by()  # index order: sorting a popular tag's rows costs ~10 ms at 100k
            .values_list("content_object_id")[:_CANDIDATES]
        ):
            score[article_id] += 3
    if article.agency_id:
        for article_id in (
            Article.objects.published()
            .filter(agency_id=article.agency_id)
            .exclude(pk=article.pk)
            .order_by("-published_at", "-id")
            .values_list("pk", flat=True)[:_CANDIDATES]
        ):
            score[article_id] += 2
    if theme_ids:
        for (article_id,) in (
            TaggedTheme.objects.filter(tag_id__in=theme_ids)
            .exclude(content_object_id=article.pk)
            .order_by()
            .values_list("content_object_id")[:_CANDIDATES]
        ):
            score[article_id] += 1
    best = [pk for pk, _ in sorted(score.items(), key=lambda item: (-item[1], -item[0]))]
    best = best[: limit * 3]  # some candidates may be drafts; keep enough to fill the list
    if not best:
        return []
    found = {
        a.pk: a
        for a in Article.objects.published()
        .filter(pk__in=best)
        .select_related("agency")
        .only("id", "title", "members_only", "published_at", "agency__name", "agency__region")
    }
    return [found[pk] for pk in best if pk in found][:limit]


def article_counts(compilation_ids, user):
    """{compilation id: number of articles the user may see} for the given compilations."""
    rows = (
        Article.objects.visible_to(user)
        .filter(compilation_id__in=list(compilation_ids))
        .order_by()
        .values_list("compilation_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def compilation_contents(compilation, user):
    """The compilation's table of contents linked to the articles the user may see, and the
    visible articles no entry points to, both in order. Two queries.

    Returns ``(entries, unlisted)``: entries are dicts with position, title, page and
    ``article`` (None when the body lacks it or it is not visible to the user).
    """
    articles = {
        a.pk: a
        for a in Article.objects.visible_to(user)
        .filter(compilation=compilation)
        .select_related("agency")
        .only(
            "id", "title", "position", "members_only", "status", "chars",
            "agency__name", "agency__region",
        )
        .order_by("position")
    }
    entries, listed = [], set()
    for position, title, page, article_id in compilation.toc_entries.order_by(
        "position"
    ).values_list("position", "title", "page", "article_id"):
        article = articles.get(article_id)
        if article:
            listed.add(article.pk)
        entries.append({"position": position, "title": title, "page": page, "article": article})
    unlisted = [a for a in articles.values() if a.pk not in listed]
    return entries, unlisted


@dataclass(frozen=True)
class Block:
    """One numbered unit of an article page: a section heading or a paragraph. ``n`` counts
    from 1 in reading order (each section's heading, when it has one, then its paragraphs);
    clips point to it and the page anchors it as ``p{n}``."""

    n: int
    kind: str  # "heading" or "paragraph"
    text: str

    @property
    def anchor(self) -> str:
        return f"p{self.n}"


def page_sections(article, full: bool) -> list[dict]:
    """What the article page shows, numbered: ``[{"anchor", "heading": Block | None,
    "paragraphs": [Block]}]``. With ``full`` the restored sections (one paragraph per line
    when the article has no structure); without it the free preview alone, one paragraph per
    line, without its closing ellipsis (the page adds it), so nothing past it can be
    numbered, clipped or copied."""
    if full:
        sections = article.display_sections or [
            {"heading": "", "paragraphs": (article.text or "").splitlines()}
        ]
    else:
        sections = [{"heading": "", "paragraphs": preview_text(article.text).splitlines()}]
    n, numbered = 0, []
    for index, section in enumerate(sections, 1):
        heading = None
        if (section.get("heading") or "").strip():
            n += 1
            heading = Block(n, "heading", section["heading"].strip())
        paragraphs = []
        for text in section.get("paragraphs", []):
            if text.strip():
                n += 1
                paragraphs.append(Block(n, "paragraph", text.strip()))
        numbered.append({"anchor": f"s{index}", "heading": heading, "paragraphs": paragraphs})
    return numbered


def article_blocks(article, full: bool) -> list[Block]:
    """The numbered blocks of ``page_sections`` in reading order."""
    blocks = []
    for section in page_sections(article, full):
        if section["heading"]:
            blocks.append(section["heading"])
        blocks += section["paragraphs"]
    return blocks


def preview_text(text: str) -> str:
    """The free preview's characters (``text.teaser`` without its ellipsis): what a reader
    who may not read the article in full may see, clip and copy."""
    return (text or "").strip()[:TEASER_CHARS].rstrip()
