"""JSON search API: ``GET /api/search/?q=…`` with the search page's parameters: the facet
filters, ``from``/``to`` (a year, month or day of publication), ``sort`` (``relevance``, the
default, ``newest``, ``oldest``), ``match`` (``exact``, ``loose``, or by default exact falling
back to loose when nothing matches exactly) and ``page``.

Answers ``{"query", "total", "match", "results": [{"id", "title", "url", "agency",
"snippets"}]}``; ``match`` says how the terms matched (``exact`` or ``loose``).
Searched in the caller's scope (``search.scope_for``): drafts only for staff; members-only
articles match non-members on their title and free preview only, and their snippets come
from that preview. Bad parameters are ignored.
"""
from django.core.paginator import Paginator
from django.http import JsonResponse

from ..filters import ArticleFilter
from ..models import Article
from ..permissions import readable_texts
from ..search import AUTO, MATCHES, scope_for, search_results, snippets
from ..search.query import MAX_QUERY_CHARS
from ..text import teaser

PAGE_SIZE = 20


def search(request):
    q = request.GET.get("q", "")[:MAX_QUERY_CHARS]
    match = request.GET.get("match")
    match = match if match in MATCHES else AUTO
    params = request.GET.copy()
    filterset = ArticleFilter(params, queryset=Article.objects.visible_to(request.user))
    filtered = None
    if any(name in request.GET for name in ArticleFilter.FACETS) and filterset.active():
        # Only then: the filter form costs ~1 ms to build, a tenth of an unfiltered search.
        filtered = filterset.qs.order_by()
    results = search_results(q, scope_for(request.user), filters=filtered, match=match)
    sort = filterset.sort_value() if "sort" in request.GET else ""
    ordered = results
    if sort in ("newest", "oldest", "date", "date_asc") and results.parsed:
        ordered = results.matches().order_by(*ArticleFilter.SORTS[sort]).values_list(
            "pk", flat=True)
    paginator = Paginator(ordered, PAGE_SIZE)
    paginator.count = results.count()  # from the index; the ordered matches count the same
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)  # ranked (or ordered) ids from the index; then their rows
    rows = Article.objects.filter(pk__in=ids).select_related("agency").only(
        "id", "title", "members_only", "published_at", "agency__name", "agency__region"
    ).in_bulk()
    texts = {pk: text if full else teaser(text)
             for pk, text, full in readable_texts(request.user, ids)}
    results_json = [
        {
            "id": article.pk,
            "title": article.display_title,
            "url": article.get_absolute_url(),
            "agency": str(article.agency) if article.agency else None,
            "snippets": snippets(texts.get(article.pk, ""), results.parsed),
        }
        for article in (rows[pk] for pk in ids if pk in rows)
    ]
    return JsonResponse(
        {"query": q, "total": page.paginator.count, "match": results.match,
         "results": results_json},
        json_dumps_params={"ensure_ascii": False},
    )
