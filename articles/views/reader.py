"""Reader pages: home, compilations, the faceted article list, article pages, search, the
agency/theme/initiative pages, and the 404/500 handlers.

Views parse the request, call selectors (``reading``, ``facets``, QuerySet methods) and render.
Every page costs a fixed number of queries whatever its size (tests/views assert it).
"""
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotFound, HttpResponseServerError, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .. import search as search_engine
from ..facets import (
    agency_counts,
    cached,
    facets_for,
    facets_for_ids,
    region_counts,
    tag_counts,
)
from ..filters import ArticleFilter, CompilationFilter, RegionField
from ..models import Agency, Article, Compilation, Initiative, Region, Theme, agency_label
from ..pagecache import anonymous_page_cache
from ..permissions import (
    can_read_full,
    readable_texts,
    teaser,
    visible_compilations,
)
from ..reading import (
    article_counts,
    compilation_contents,
    listable,
    neighbours,
    page_rows,
    page_sections,
    related_articles,
)
from ..regions import gazetteer
from ..workbench.sources import article_source_line

PAGE_SIZE = 20
FACET_SHOWN = 8  # values shown before “更多”
FACET_LABELS = {
    "level": _("层级"), "sector": _("系统"), "region": _("地区"), "agency": _("机关"),
    "theme": _("主题"), "initiative": _("举措"), "year": _("年份"), "compilation": _("汇编"),
}
RANGE_LABELS = {"from": _("起始"), "to": _("截止")}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=200, required=False, strip=True)
    # 在结果中搜索: words added to the current query (and its filters).
    within = forms.CharField(label=_("在结果中搜索"), max_length=100, required=False, strip=True)
    match = forms.ChoiceField(
        choices=[("auto", _("自动")), ("exact", _("精确")), ("loose", _("忽略标点"))],
        required=False,
    )

    def query(self) -> tuple[str, str]:
        """(the query, how terms match); a bad value of either is as if it were absent."""
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        q = " ".join(part for part in (data.get("q"), data.get("within")) if part)
        return q[:200], data.get("match") or "auto"


def _scope(user):
    """The reader's search scope, which also keys their cached counts: a member's search
    matches text the public's does not."""
    return search_engine.scope_for(user).value


def _page(request, queryset, count=None, per_page=PAGE_SIZE):
    """The requested page; a bad or too large ``page`` gives the first or last page."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # already counted with the facets: saves a COUNT(*)
    return paginator.get_page(request.GET.get("page"))


def _article_page(request, queryset, count=None):
    """A page of articles: the page's ids from the indexes first, then their rows.
    ``queryset`` may also be search results (``search_results``), which slice into ids."""
    if hasattr(queryset, "values_list"):
        queryset = queryset.values_list("pk", flat=True)
    page = _page(request, queryset, count=count)
    page.object_list = page_rows(list(page.object_list))
    return page


def _url_with(params, **changes):
    """The current query string with some parameters changed (None removes); page reset."""
    query = QueryDict(mutable=True)
    for key, values in params.lists():
        if key != "page":
            query.setlist(key, values)
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


def _region_rows(rows, selected):
    """The region facet walked down: the provinces; under a selected region its chain
    (each a link up) and the regions one level below it."""
    places = gazetteer()
    place = places.get(selected)
    if place is None:
        return [row for row in rows if places[row[0]].level == Region.Level.PROVINCE]
    chain = set(place.chain)
    return ([row for code in place.chain for row in rows if row[0] == code]
            + [row for row in rows if places[row[0]].parent == place.code
               and row[0] not in chain])


def _facet_groups(facets, active, params):
    """Facet values for the template, each with the URL that selects or clears it."""
    groups = []
    for name, label in FACET_LABELS.items():
        selected = active.get(name)
        rows = facets.get(name, [])
        if name == "region":
            rows = _region_rows(rows, selected)
        values = [
            {
                "label": value_label, "count": count, "selected": str(value) == selected,
                "url": _url_with(params, **{name: None if str(value) == selected else value}),
            }
            for value, value_label, count in rows
        ]
        if values:
            groups.append({
                "name": name, "label": label, "selected": selected,
                "shown": values[:FACET_SHOWN], "more": values[FACET_SHOWN:],
            })
    return groups


def _chips(facets, active, params):
    """The active filters, each with a URL that removes it."""
    def label(name, value):
        if name == "region":
            return gazetteer().path(value) or value
        return next((lab for v, lab, _ in facets.get(name, []) if str(v) == value), value)

    return [
        {"name": FACET_LABELS.get(name) or RANGE_LABELS[name], "value": label(name, value),
         "url": _url_with(params, **{name: None})}
        for name, value in active.items()
    ]


def _faceted(request, queryset, *, q="", match="auto"):
    """Filter ``queryset`` by the request's facets (and query), count the facets, paginate."""
    filterset = ArticleFilter(request.GET, queryset=queryset)
    active, sort = filterset.active(), filterset.sort_value()
    matched = filterset.qs.order_by()
    results = None
    if q:
        results = search_engine.search_results(
            q, search_engine.scope_for(request.user), filters=matched if active else None,
            match=match,
        )
        # Counted in memory over the matching ids from the index (one pass, exact). Keyed by
        # the mode asked for: ``auto`` settles the same way until the library changes.
        facets = facets_for_ids(
            results.match_ids, scope=_scope(request.user), params=[q, active, match]
        )
        ordered = results.matches().order_by(*ArticleFilter.SORTS[sort]) if sort else results
    else:
        ordered = matched.order_by(*ArticleFilter.SORTS[sort or "date"])
        facets = facets_for(matched, scope=_scope(request.user), params=[q, active])
    page = _article_page(request, ordered, count=facets["total"])
    # The sidebar is the same for every page of a result set: rendered once per library version.
    sidebar = cached(
        "facet-sidebar",
        [_scope(request.user), sorted((k, v) for k, v in request.GET.lists() if k != "page")],
        lambda: render_to_string(
            "includes/facets.html", {"facets": _facet_groups(facets, active, request.GET)}
        ),
    )
    return {
        "filter": filterset, "page_obj": page, "facet_counts": facets, "sidebar": sidebar,
        "total": facets["total"],
        "chips": _chips(facets, active, request.GET), "sort": sort or ("" if q else "date"),
        "sort_urls": {
            key: _url_with(request.GET, sort=key) for key in ("date", "date_asc", "title")
        },
        "clear_url": _url_with(QueryDict(), q=q or None),
        "results": results,
    }


@anonymous_page_cache
def home(request):
    published = listable(None)  # the anonymous reader's articles
    compilations = list(Compilation.objects.published()[:6])
    counts = article_counts([c.pk for c in compilations], request.user)
    for compilation in compilations:
        compilation.article_count = counts.get(compilation.pk, 0)
    facets = facets_for(published, scope="public", params=["", {}])
    return render(request, "articles/home.html", {
        "form": SearchForm(),
        "compilations": compilations,
        "articles": page_rows(list(published.order_by("-published_at", "-id")
                                   .values_list("pk", flat=True)[:10])),
        "facets": facets,
    })


@anonymous_page_cache
def compilation_list(request):
    filterset = CompilationFilter(request.GET, queryset=visible_compilations(request.user))
    page = _page(request, filterset.qs)
    counts = article_counts([c.pk for c in page], request.user)
    for compilation in page:
        compilation.article_count = counts.get(compilation.pk, 0)
    return render(request, "articles/compilation_list.html", {
        "filter": filterset, "page_obj": page,
    })


@anonymous_page_cache
def compilation_detail(request, pk):
    compilation = get_object_or_404(visible_compilations(request.user), pk=pk)
    entries, unlisted = compilation_contents(compilation, request.user)
    return render(request, "articles/compilation_detail.html", {
        "compilation": compilation, "entries": entries, "unlisted": unlisted,
        "article_count": sum(1 for e in entries if e["article"]) + len(unlisted),
    })


@anonymous_page_cache
def article_list(request):
    context = _faceted(request, listable(request.user))
    return render(request, "articles/article_list.html", context)


@anonymous_page_cache
def search(request):
    form = SearchForm(request.GET)
    q, match = form.query()
    if request.GET.get("within"):
        # 在结果中搜索 lands on the plain URL of the combined query, its filters kept.
        return redirect(request.path + _url_with(request.GET, q=q, within=None))
    context = {"form": form, "q": q, "terms": _terms(q), "match": match,
               "full_text_search": search_engine.scope_for(request.user).full_text}
    if q:
        context.update(_faceted(request, listable(request.user), q=q, match=match))
        results = context["results"]
        context["loose"] = results.match == search_engine.LOOSE
        context["snippets"] = _snippets(request.user, context["page_obj"], results.parsed)
        # 在结果中搜索: the current filters, kept as hidden fields of the second form.
        context["kept_params"] = [
            (key, value) for key, values in request.GET.lists()
            if key not in ("q", "within", "page") for value in values
        ]
    return render(request, "articles/search.html", context)


def _snippets(user, page, parsed):
    """{article id: snippets} of the page's articles: from the whole text where the user may
    read it, otherwise from the free preview only, so no character past it reaches them.
    One query."""
    return {
        pk: search_engine.snippets(text if full else teaser(text), parsed, limit=3)
        for pk, text, full in readable_texts(user, [a.pk for a in page])
    }


def _highlight_terms(request):
    """Terms to highlight on an article reached from search (``?q=`` or ``?hl=``)."""
    return _terms(request.GET.get("hl") or request.GET.get("q") or "")


def _terms(q):
    """The words of a query as the search engine matches them, for highlighting."""
    q = (q or "")[:200]
    if not q.strip():
        return []
    return [t for t in search_engine.query_terms(q) if t and t.strip()][:10]


@anonymous_page_cache
def article_detail(request, pk):
    article = get_object_or_404(
        Article.objects.visible_to(request.user)
        .select_related("agency", "compilation")
        .prefetch_related("themes", "initiatives"),
        pk=pk,
    )
    full = can_read_full(request.user, article)
    previous, following = neighbours(article, request.user)
    context = {
        "article": article, "full": full, "terms": _highlight_terms(request),
        "previous": previous, "next": following,
        "related": related_articles(article, request.user),
        "original": request.GET.get("text") == "original",
        # 《标题》，机关，汇编名，日期: the line 复制（带出处） puts under a copied paragraph.
        "source_line": article_source_line(article),
    }
    # Every heading and paragraph numbered (``p{n}``): what clips and copies point to.
    context["sections"] = page_sections(article, full)
    if full:
        context["original_sections"] = _numbered(
            article.sections or _as_sections(article.original_text)
        )
    else:
        context["teaser"] = teaser(article.text)
    return render(request, "articles/article_detail.html", context)


def _as_sections(text):
    return [{"heading": "", "paragraphs": [p for p in (text or "").splitlines() if p.strip()]}]


def _numbered(sections):
    return [dict(section, anchor=f"s{i}") for i, section in enumerate(sections, 1)]


@anonymous_page_cache
def agency_index(request):
    """Every agency with articles, by level; ``?region=`` (a code or a name) keeps those of one
    province, prefecture or county, with the regions to walk down to and their counts."""
    rows = agency_counts(scope=_scope(request.user), queryset=listable(request.user))
    places = gazetteer()
    try:
        region = RegionField(required=False).clean(request.GET.get("region", ""))
    except ValidationError:
        region = ""  # an unknown place: every agency, as for any bad filter value
    by_region = {}
    for _pk, _name, code, _level, _sector, count in rows:
        if code:
            by_region[code] = by_region.get(code, 0) + count
    region_rows = _region_rows(region_counts(by_region), region)
    if region:
        rows = [row for row in rows if row[2] and region in places[row[2]].chain]
    levels = {}
    for pk, name, code, level, sector, count in rows:
        levels.setdefault(level, []).append(
            {"pk": pk, "name": name, "label": agency_label(name, code), "sector": sector,
             "count": count}
        )
    groups = [
        {"label": label, "agencies": levels[value]}
        for value, label in Agency.Level.choices if value in levels
    ]
    # Thousands of links: rendered once per library version (and region).
    listing = cached(
        "agency-index-html", [_scope(request.user), region],
        lambda: render_to_string("includes/agency_groups.html", {"groups": groups}),
    )
    regions = [
        {"label": label, "count": n, "selected": code == region,
         "url": "?" + urlencode({"region": code}) if code != region else "?"}
        for code, label, n in region_rows
    ]
    return render(request, "articles/agency_index.html", {
        "groups": groups, "listing": listing, "total": len(rows), "regions": regions,
        "region_path": places.path(region) if region else "",
    })


def _tag_index(request, relation, template):
    rows = tag_counts(relation, scope=_scope(request.user), queryset=listable(request.user))
    page = _page(request, rows, per_page=200)
    return render(request, template, {"page_obj": page, "total": len(rows)})


@anonymous_page_cache
def theme_index(request):
    return _tag_index(request, "themes", "articles/theme_index.html")


@anonymous_page_cache
def initiative_index(request):
    return _tag_index(request, "initiatives", "articles/initiative_index.html")


def _articles_of(request, subject, template, **lookup):
    articles = listable(request.user).filter(**lookup).order_by("-published_at", "-id")
    return render(
        request, template, {"subject": subject, "page_obj": _article_page(request, articles)}
    )


@anonymous_page_cache
def agency_detail(request, pk):
    agency = get_object_or_404(Agency, pk=pk)
    return _articles_of(request, agency, "articles/agency_detail.html", agency=agency)


@anonymous_page_cache
def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    return _articles_of(request, theme, "articles/theme_detail.html", themes__slug=slug)


@anonymous_page_cache
def initiative_detail(request, slug):
    initiative = get_object_or_404(Initiative, slug=slug)
    return _articles_of(
        request, initiative, "articles/initiative_detail.html", initiatives__slug=slug
    )


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):  # a JSON client gets JSON, as from the API's views
        return JsonResponse({"error": _("没有找到。")}, status=404,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request):
    # No request context: the database may be what failed.
    return HttpResponseServerError(loader.render_to_string("500.html"))
