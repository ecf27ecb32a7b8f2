"""Follows: a saved search (query, operators and the facets' filters, as the search page takes
them) or one agency, theme, initiative or region. What a follow matches is published
material only, matched in the follower's scope (a member's follow matches members-only
articles on their whole text), newest first; feeds and digests still carry only the free
preview of a members-only article (``articles.feeds``).
"""
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _

from ..facets import cached
from ..filters import ArticleFilter, RegionField
from ..models import Agency, Article, Initiative, Theme
from ..regions import gazetteer
from ..search import AUTO, EXACT, LOOSE, Scope, parse, scope_for, search_results
from ..search.query import MAX_QUERY_CHARS
from .models import Follow
from .services import WorkbenchError, as_id

KINDS = ("agency", "theme", "initiative", "region")
FILTER_KEYS = tuple(name for name in ArticleFilter.FACETS)
KEYS = ("q", "match", *FILTER_KEYS)
IGNORED = ("sort", "page", "within")


def _query_dict(params) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in params.items():
        data[key] = str(value)
    return data


def _one_tag(model, value, what):
    if not isinstance(value, str) or not value.strip():
        raise WorkbenchError(_("请给出%(what)s的名称。") % {"what": what})
    tag = model.objects.filter(slug=value.strip()).first() or model.objects.filter(
        name=value.strip()).first()
    if tag is None:
        raise WorkbenchError(_("没有这个%(what)s：%(value)s") % {"what": what, "value": value})
    return tag


def describe(params) -> tuple[str, dict, str]:
    """(kind, cleaned parameters, label) of what a reader asked to follow; refuses anything
    the search page would not take, with a message saying what."""
    if not isinstance(params, dict) or not params:
        raise WorkbenchError(_("请给出检索条件（q 与筛选项），或 agency、theme、initiative、"
                               "region 之一。"))
    # What orders or pages the search page, not what it finds: a feed is newest first.
    params = {key: value for key, value in params.items() if key not in IGNORED}
    unknown = sorted(set(params) - set(KEYS))
    if unknown:
        raise WorkbenchError(_("不认识的参数：%(names)s") % {"names": "、".join(unknown)})
    single = [key for key in KINDS if key in params]
    if len(params) == 1 and single:
        kind, value = single[0], params[single[0]]
        if kind == "agency":
            agency = Agency.objects.filter(pk=as_id(value, _("机关"))).first()
            if agency is None:
                raise WorkbenchError(_("没有这个机关。"))
            return kind, {"agency": agency.pk}, str(agency)
        if kind == "region":
            try:
                code = RegionField().clean(str(value))
            except ValidationError:  # no such place, or one several places share
                code = ""
            if not code:
                raise WorkbenchError(_("没有这个地区：%(value)s") % {"value": value})
            return kind, {"region": code}, gazetteer().path(code) or code
        model, what = (Theme, _("主题")) if kind == "theme" else (Initiative, _("举措"))
        tag = _one_tag(model, value, what)
        return kind, {kind: tag.slug}, tag.name
    clean = {}
    q = params.get("q", "")
    if not isinstance(q, str) or len(q) > MAX_QUERY_CHARS:
        raise WorkbenchError(_("检索词应为不超过 %(n)s 个字的文本。") % {"n": MAX_QUERY_CHARS})
    if q.strip():
        if not parse(q):
            raise WorkbenchError(_("检索词中没有可检索的文字。"))
        clean["q"] = q.strip()
    if params.get("match") not in (None, "", AUTO, EXACT, LOOSE):
        raise WorkbenchError(_("match 只能是 auto、exact 或 loose。"))
    if params.get("match") == LOOSE:  # a follow matches exactly unless asked otherwise
        clean["match"] = LOOSE
    filters = {key: value for key, value in params.items() if key in FILTER_KEYS}
    if filters:
        filterset = ArticleFilter(_query_dict(filters), queryset=Article.objects.none())
        if not filterset.is_valid():
            raise WorkbenchError(_("筛选条件无效：%(names)s") % {
                "names": "、".join(sorted(filterset.errors))})
        active = filterset.active()
        if set(filters) - set(active):
            raise WorkbenchError(_("筛选条件无效：%(names)s") % {
                "names": "、".join(sorted(set(filters) - set(active)))})
        clean.update(active)
    if not clean.get("q") and not filters:
        raise WorkbenchError(_("请填写检索词或至少一个筛选条件。"))
    label = clean.get("q", "")
    facets = "、".join(f"{key}={value}" for key, value in clean.items()
                      if key not in ("q", "match"))
    return Follow.Kind.SEARCH, clean, (f"{label}（{facets}）" if label and facets
                                       else label or facets)


def _scope(user) -> Scope:
    """The follower's scope, but never the editors' (which would match drafts)."""
    scope = scope_for(user)
    return Scope.MEMBER if scope is Scope.EDITOR else scope


def matching(follow, user, since=None):
    """The published articles the follow matches (published after ``since`` when given), as
    a QuerySet, newest first."""
    params = follow.params
    queryset = Article.objects.published()
    filters = {key: value for key, value in params.items() if key in FILTER_KEYS}
    if filters:
        queryset = ArticleFilter(_query_dict(filters), queryset=queryset).qs.order_by()
    if since is not None:
        queryset = queryset.filter(published_at__gt=since)
    if params.get("q"):
        results = search_results(params["q"], _scope(user), filters=queryset,
                                 match=params.get("match") or EXACT)
        queryset = results.matches()
    return queryset.order_by("-published_at", "-id")


def new_counts(follows, user) -> dict[int, int]:
    """{follow id: articles published since the reader last looked at it}: a count per
    follow, cached for the library version (exact: any write moves it), so a page of follows
    costs their searches once per write, not once per view."""
    scope = _scope(user).value
    return {
        follow.pk: cached(
            "follow-new", [follow.params, follow.last_seen_at, scope],
            lambda follow=follow: matching(follow, user, since=follow.last_seen_at).count())
        for follow in follows
    }


def results_url(follow) -> str:
    """The page that shows what the follow matches: the search page for a query, the
    article list for filters alone."""
    from urllib.parse import urlencode

    from django.urls import reverse

    name = "articles:search" if follow.params.get("q") else "articles:list"
    return f"{reverse(name)}?{urlencode(follow.params)}"
