"""Reads of a reader's workbench, each a fixed number of queries whatever its size."""
from django.db.models import Count, Q

from ..search.query import parse
from ..search.tokenise import atom_skeleton
from .models import Clip, Draft, DraftItem, Folder, FolderItem


def folders_with_counts(user):
    """The reader's folders with ``article_count``: one query."""
    return Folder.objects.owned_by(user).annotate(article_count=Count("items")).order_by(
        "name", "id")


def folder_items(folder):
    """The folder's articles, newest addition first, with what a row shows joined."""
    return (
        FolderItem.objects.filter(folder=folder)
        .select_related("article", "article__agency", "article__compilation")
        .defer("article__original_text", "article__text", "article__sections")
        .order_by("-added_at", "-id")
    )


def folder_ids_of(user, article_ids) -> dict[int, list[int]]:
    """{article id: [ids of the reader's folders holding it]}: one query."""
    found = {}
    for article_id, folder_id in FolderItem.objects.filter(
        folder__owner=user, article_id__in=list(article_ids)
    ).values_list("article_id", "folder_id"):
        found.setdefault(article_id, []).append(folder_id)
    return found


def _term_q(term):
    q = Q()
    for atom in term.atoms:
        needle = atom_skeleton(atom)
        if term.title:
            q &= Q(search_title__contains=needle)
        else:
            q &= Q(search_title__contains=needle) | Q(search_body__contains=needle)
    return q


def clip_query(q: str) -> Q | None:
    """The library's search (``search.query``: space, ``|``, ``-``, quotes, ``intitle:``)
    over clips, as one condition on their skeletons: the oracle's rule, each atom's skeleton
    a substring of a field's, in SQL. ``None`` when the query has nothing to search."""
    parsed = parse(q)
    if not parsed:
        return None
    condition = Q()
    for clause in parsed.clauses:
        either = Q()
        for term in clause:
            either |= _term_q(term)
        condition &= either
    for term in parsed.excluded:
        condition &= ~_term_q(term)
    return condition


def clips_for(user, *, q="", article=None, agency=None, compilation=None, tag=""):
    """The reader's clips, newest first, narrowed by a query and by source."""
    clips = Clip.objects.owned_by(user).defer("search_title", "search_body")
    if q:
        condition = clip_query(q)
        clips = clips.filter(condition) if condition is not None else clips.none()
    for field, value in (("article_id", article), ("agency_id", agency),
                         ("compilation_id", compilation)):
        if value:
            clips = clips.filter(**{field: value})
    if tag:
        clips = clips.filter(
            Q(tags=tag) | Q(tags__startswith=f"{tag}、") | Q(tags__endswith=f"、{tag}")
            | Q(tags__contains=f"、{tag}、"))
    return clips.order_by("-created_at", "-id")


def clip_sources(user):
    """The articles, agencies and compilations the reader's clips come from, with counts,
    for the clip list's filters: three queries."""
    clips = Clip.objects.owned_by(user).order_by()
    return {
        field: list(
            clips.exclude(**{f"{field}_id": None})
            .values_list(f"{field}_id", label).annotate(n=Count("id")).order_by("-n", label)[:50]
        )
        for field, label in (("agency", "agency_name"), ("compilation", "compilation_title"),
                             ("article", "article_title"))
    }


def drafts_with_counts(user):
    return Draft.objects.owned_by(user).annotate(item_count=Count("items")).order_by(
        "-updated_at", "-id")


def draft_items(draft):
    """The draft's entries in order: one query."""
    return DraftItem.objects.filter(draft=draft).order_by("position", "id")
