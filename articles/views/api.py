"""JSON search API: ``GET /api/search/?q=…`` with the article list's filters and ``page``.

Answers ``{"query", "total", "results": [{"id", "title", "url", "agency", "snippets"}]}``.
Drafts are never shown to non-staff; members-only articles give anonymous readers (and
other non-members) their title and metadata but no snippet. Bad parameters are ignored.
"""
from django.core.paginator import Paginator
from django.http import JsonResponse

from ..filters import ArticleFilter
from ..models import Article
from ..permissions import can_read_full
from ..search import search_results, snippets
from ..search.query import MAX_QUERY_CHARS

PAGE_SIZE = 20


def search(request):
    q = request.GET.get("q", "")[:MAX_QUERY_CHARS]
    filtered = Article.objects.visible_to(request.user)
    if any(name in request.GET for name in ArticleFilter.FACETS):
        # Only then: the filter form costs ~1 ms to build, a tenth of an unfiltered search.
        params = request.GET.copy()
        params.pop("sort", None)  # results are ranked
        filtered = ArticleFilter(params, queryset=filtered).qs
    page = Paginator(search_results(filtered, q), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)  # ranked ids from the index; then their rows
    rows = Article.objects.filter(pk__in=ids).select_related("agency").only(
        "id", "title", "text", "members_only", "published_at", "agency__name", "agency__region"
    ).in_bulk()
    results = [
        {
            "id": article.pk,
            "title": article.display_title,
            "url": article.get_absolute_url(),
            "agency": str(article.agency) if article.agency else None,
            "snippets": snippets(article.text, q) if can_read_full(request.user, article) else [],
        }
        for article in (rows[pk] for pk in ids if pk in rows)
    ]
    return JsonResponse(
        {"query": q, "total": page.paginator.count, "results": results},
        json_dumps_params={"ensure_ascii": False},
    )
