"""Read-only endpoints of the library: compilations, articles, agencies, themes,
initiatives, and search, with the reader site's permissions and filters."""
from django.core.paginator import Paginator
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.generics import get_object_or_404  # a malformed id is a 404 too
from rest_framework.response import Response
from rest_framework.views import APIView

from ..filters import ArticleFilter, CompilationFilter
from ..models import Agency, Article, Initiative, Theme
from ..permissions import readable_texts, visible_compilations
from ..reading import listable
from ..search import AUTO, MATCHES, scope_for, search_results, snippets
from ..search.query import MAX_QUERY_CHARS
from ..text import teaser
from . import serializers

SEARCH_PAGE_SIZE = 20


class CompilationViewSet(viewsets.ReadOnlyModelViewSet):
    """Compilations: published ones for everyone, drafts too for editors."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = CompilationFilter

    def get_queryset(self):
        return visible_compilations(self.request.user).order_by("-published_at", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.CompilationDetailSerializer
        return serializers.CompilationSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve" and str(self.kwargs.get("pk", "")).isdigit():
            context["articles"] = listable(self.request.user).filter(
                compilation_id=int(self.kwargs["pk"])).for_list().order_by("position")
        return context


class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """Articles with the list's filters (agency, level, sector, region, theme, initiative,
    year, compilation, from, to, sort). A members-only article's text is its free preview
    unless the caller is a member or an editor (``full``)."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter

    def get_queryset(self):
        return listable(self.request.user).for_list().order_by("-published_at", "-id")

    def get_object(self):
        queryset = listable(self.request.user).select_related("agency", "compilation")
        return get_object_or_404(queryset.prefetch_related("themes", "initiatives"),
                                 pk=self.kwargs["pk"])

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ArticleDetailSerializer
        return serializers.ArticleListSerializer


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AgencySerializer
    queryset = Agency.objects.order_by("name", "id")


class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ThemeSerializer
    queryset = Theme.objects.order_by("name")
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"


class InitiativeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.InitiativeSerializer
    queryset = Initiative.objects.order_by("name")
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"


_SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="关键词与运算符：空格、A | B、-词、\"短语\"、intitle:词"),
    OpenApiParameter("match", OpenApiTypes.STR, enum=list(MATCHES),
                     description="exact 精确；loose 忽略标点；auto（默认）精确无结果时忽略标点"),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["relevance", "newest", "oldest"]),
    OpenApiParameter("from", OpenApiTypes.STR, description="发布时间起：2023、2023-05 或 2023-05-01"),
    OpenApiParameter("to", OpenApiTypes.STR, description="发布时间止：2023、2023-05 或 2023-05-31"),
    OpenApiParameter("page", OpenApiTypes.INT),
    *[OpenApiParameter(name, OpenApiTypes.STR) for name in
      ("level", "sector", "region", "agency", "theme", "initiative", "year", "compilation")],
]


class SearchView(APIView):
    """Full-text search in the caller's scope: members-only articles match non-members on
    their title and free preview only, and their snippets come from that preview. Bad
    parameter values are ignored."""

    @extend_schema(parameters=_SEARCH_PARAMETERS, responses=serializers.SearchAnswerSerializer)
    def get(self, request):
        return Response(search_answer(request))


def search_answer(request) -> dict:
    """``{"query", "total", "match", "results": [{"id", "title", "url", "agency",
    "snippets"}]}`` for the request's parameters."""
    params = request.GET
    q = params.get("q", "")[:MAX_QUERY_CHARS]
    match = params.get("match")
    match = match if match in MATCHES else AUTO
    filtered, sort = None, ""
    if "sort" in params or any(name in params for name in ArticleFilter.FACETS):
        # Only then: the filter set costs ~1 ms to build, a tenth of an unfiltered search.
        filterset = ArticleFilter(params, queryset=Article.objects.visible_to(request.user))
        if filterset.active():
            filtered = filterset.qs.order_by()
        sort = filterset.sort_value() if "sort" in params else ""
    results = search_results(q, scope_for(request.user), filters=filtered, match=match)
    ordered = results
    if sort in ("newest", "oldest", "date", "date_asc") and results.parsed:
        ordered = results.matches().order_by(*ArticleFilter.SORTS[sort]).values_list(
            "pk", flat=True)
    paginator = Paginator(ordered, SEARCH_PAGE_SIZE)
    paginator.count = results.count()  # from the index; the ordered matches count the same
    page = paginator.get_page(params.get("page"))
    ids = list(page.object_list)  # ranked (or ordered) ids from the index; then their rows
    rows = Article.objects.filter(pk__in=ids).select_related("agency").only(
        "id", "title", "members_only", "published_at", "agency__name", "agency__region"
    ).in_bulk()
    texts = {pk: text if full else teaser(text)
             for pk, text, full in readable_texts(request.user, ids)}
    return {
        "query": q, "total": paginator.count, "match": results.match,
        "results": [
            {
                "id": article.pk,
                "title": article.display_title,
                "url": article.get_absolute_url(),
                "agency": str(article.agency) if article.agency else None,
                "snippets": [str(s) for s in snippets(texts.get(article.pk, ""), results.parsed)],
            }
            for article in (rows[pk] for pk in ids if pk in rows)
        ],
    }
