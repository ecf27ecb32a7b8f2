"""The workbench's JSON interface: folders, clips, drafts and follows of the signed-in reader.

Session authentication with Django's CSRF check (``X-CSRFToken``), JSON in and out. Every
error answers ``{"error": "中文说明"}`` with 400, 403 or 404; a row of another reader is a
404, exactly like one that does not exist. The views only parse, call ``workbench.services``
and present.
"""
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.throttling import UserRateThrottle
from rest_framework.response import Response
from rest_framework.views import APIView

from ..exports import export_filename
from ..filters import ArticleFilter
from ..models import Article
from ..search import AUTO, MATCHES, scope_for, search_results
from ..search.query import MAX_QUERY_CHARS
from ..views.downloads import attachment
from ..workbench import follows as follow_rules
from ..workbench import selectors, services
from ..workbench.access import shown_text, source_states
from ..workbench.exports import MAX_EXPORT_ARTICLES, articles_export, draft_export
from ..workbench.models import Clip, Draft, DraftItem, Folder, Follow
from ..workbench.sources import source_line

PAGE_SIZE = 50

_MESSAGES = {
    exceptions.NotAuthenticated: gettext_lazy("请先登录。"),
    exceptions.AuthenticationFailed: gettext_lazy("请先登录。"),
    exceptions.ParseError: gettext_lazy("请求内容不是有效的 JSON。"),
    exceptions.UnsupportedMediaType: gettext_lazy("请以 JSON（Content-Type: application/json）提交。"),
    exceptions.MethodNotAllowed: gettext_lazy("该地址不支持这种请求方法。"),
    exceptions.NotFound: gettext_lazy("没有找到。"),
    exceptions.Throttled: gettext_lazy("请求过于频繁，请稍后再试。"),
}


class WorkbenchAPIView(APIView):
    """A workbench endpoint: signed-in readers only, errors as ``{"error": …}``."""

    permission_classes = [IsAuthenticated]
    throttle_classes = []

    def handle_exception(self, exc):
        if isinstance(exc, services.WorkbenchError):
            return Response({"error": exc.message}, status=exc.status)
        if isinstance(exc, Http404):
            return Response({"error": _("没有找到。")}, status=404)
        response = super().handle_exception(exc)
        message = next((str(m) for kind, m in _MESSAGES.items() if isinstance(exc, kind)), None)
        if message is None and isinstance(exc, exceptions.PermissionDenied):
            detail = str(exc.detail)
            message = (_("安全校验（CSRF）失败，请刷新页面后重试。") if "CSRF" in detail
                       else _("您无权进行此操作。"))
        response.data = {"error": message or _("请求无效。")}
        return response

    def body(self) -> dict:
        """The JSON object sent, or a 400."""
        data = self.request.data
        if not isinstance(data, dict):
            raise services.WorkbenchError(_("请求内容应为 JSON 对象。"))
        return data

    def page_number(self):
        return self.request.query_params.get("page") or 1

    def owned(self, model, pk):
        """The reader's own row, or 404 (another reader's rows do not exist for them)."""
        row = model.objects.owned_by(self.request.user).filter(pk=pk).first()
        if row is None:
            raise services.NotFound(_("没有找到，或不属于您。"))
        return row


def _url(request, name, *args):
    return request.build_absolute_uri(reverse(name, args=args))


# --- presentation ----------------------------------------------------------------------


def folder_json(request, folder, count=None) -> dict:
    return {
        "id": folder.pk, "name": folder.name,
        "article_count": getattr(folder, "article_count", count),
        "url": reverse("articles:workbench_folder", args=[folder.pk]),
        "export_docx": reverse("api:folder_export", args=[folder.pk, "docx"]),
        "export_txt": reverse("api:folder_export", args=[folder.pk, "txt"]),
        "updated_at": folder.updated_at,
    }


def folder_article_json(item) -> dict:
    article = item.article
    return {
        "id": article.pk, "title": article.display_title, "url": article.get_absolute_url(),
        "agency": str(article.agency) if article.agency_id else None,
        "compilation": article.compilation.title, "published_at": article.published_at,
        "members_only": article.members_only, "added_at": item.added_at,
    }


def source_json(item) -> dict:
    url = None
    if item.article_id:
        url = reverse("articles:detail", args=[item.article_id])
        if getattr(item, "paragraph", None):
            url += f"#p{item.paragraph}"
    return {
        "article": item.article_id, "title": item.article_title,
        "agency": item.agency_name or None, "compilation": item.compilation_title or None,
        "published_at": item.published_at, "url": url, "line": source_line(item),
    }


def clip_json(clip, state) -> dict:
    return {
        "id": clip.pk, "text": shown_text(clip, state), "paragraph": clip.paragraph,
        "start": clip.start, "end": clip.end, "note": clip.note, "tags": clip.tag_list,
        "created_at": clip.created_at, "source": source_json(clip),
        "withheld": bool(state and state.withheld),
        "source_changed": bool(state and state.changed),
        "source_deleted": bool(state and state.gone),
    }


def item_json(item, state) -> dict:
    clip = item.kind == DraftItem.Kind.CLIP
    return {
        "id": item.pk, "position": item.position, "kind": item.kind,
        "text": shown_text(item, state) if clip else item.text,
        "clip": item.clip_id, "source": source_json(item) if clip else None,
        "withheld": bool(state and state.withheld),
        "source_changed": bool(state and state.changed),
        "source_deleted": bool(state and state.gone),
    }


def draft_json(request, draft, items=None) -> dict:
    answer = {
        "id": draft.pk, "title": draft.title, "updated_at": draft.updated_at,
        "url": reverse("articles:workbench_draft", args=[draft.pk]),
        "export_docx": reverse("api:draft_export", args=[draft.pk, "docx"]),
        "export_txt": reverse("api:draft_export", args=[draft.pk, "txt"]),
    }
    if items is None:
        answer["item_count"] = getattr(draft, "item_count", None)
    else:
        states = source_states(request.user, [i for i in items if i.kind == DraftItem.Kind.CLIP])
        answer["items"] = [item_json(item, states.get(item.pk)) for item in items]
    return answer


def follow_json(request, follow, new=None) -> dict:
    return {
        "id": follow.pk, "kind": follow.kind, "label": follow.label, "params": follow.params,
        "feed_url": _url(request, "articles:follow_feed", follow.token),
        "new": new, "digest": follow.digest, "last_seen_at": follow.last_seen_at,
        "url": reverse("articles:workbench_follow", args=[follow.pk]),
    }


def _paged(queryset, number, size=PAGE_SIZE):
    paginator = Paginator(queryset, size)
    page = paginator.get_page(number)
    return page, {"page": page.number, "pages": paginator.num_pages, "total": paginator.count}


_ANY = inline_serializer("WorkbenchAnswer", {"id": serializers.IntegerField()})
_ERROR = inline_serializer("WorkbenchError", {"error": serializers.CharField()})
_ERRORS = {400: _ERROR, 403: _ERROR, 404: _ERROR}


def _doc(summary, request=None, responses=None, parameters=None, operation_id=None):
    return extend_schema(summary=summary, request=request, parameters=parameters,
                         operation_id=operation_id,
                         responses={**(responses or {200: _ANY}), **_ERRORS}, tags=["workbench"])


# --- folders ---------------------------------------------------------------------------


class FolderList(WorkbenchAPIView):
    @_doc("我的收藏夹（含篇数）", operation_id="folders_list")
    def get(self, request):
        return Response({"results": [folder_json(request, f)
                                     for f in selectors.folders_with_counts(request.user)]})

    @_doc("新建收藏夹", request=inline_serializer("FolderIn", {"name": serializers.CharField()}),
          responses={201: _ANY})
    def post(self, request):
        folder = services.folder_create(owner=request.user, name=self.body().get("name"))
        return Response(folder_json(request, folder, 0), status=status.HTTP_201_CREATED)


class FolderDetail(WorkbenchAPIView):
    @_doc("收藏夹及其文章（每页 50 篇）",
          parameters=[OpenApiParameter("page", OpenApiTypes.INT)])
    def get(self, request, pk):
        folder = self.owned(Folder, pk)
        page, paging = _paged(selectors.folder_items(folder), self.page_number())
        return Response({**folder_json(request, folder, paging["total"]), **paging,
                         "articles": [folder_article_json(item) for item in page]})

    @_doc("重命名收藏夹", request=inline_serializer("FolderRename", {"name": serializers.CharField()}))
    def patch(self, request, pk):
        folder = services.folder_rename(folder=self.owned(Folder, pk),
                                        name=self.body().get("name"))
        return Response(folder_json(request, folder, folder.items.count()))

    @_doc("删除收藏夹", responses={204: None})
    def delete(self, request, pk):
        services.folder_delete(folder=self.owned(Folder, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FolderArticles(WorkbenchAPIView):
    @_doc("把文章加入收藏夹（已在其中时不变，200）",
          request=inline_serializer("FolderArticleIn", {"article": serializers.IntegerField()}),
          responses={201: _ANY, 200: _ANY})
    def post(self, request, pk):
        folder = self.owned(Folder, pk)
        item, created = services.folder_add_article(folder=folder, user=request.user,
                                                    article_id=self.body().get("article"))
        return Response({"folder": folder.pk, "article": item.article_id, "created": created},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class FolderArticle(WorkbenchAPIView):
    @_doc("从收藏夹移除文章", responses={204: None})
    def delete(self, request, pk, article):
        folder = self.owned(Folder, pk)
        if not services.folder_remove_articles(folder=folder, article_ids=[article]):
            raise services.NotFound(_("这篇文章不在该收藏夹中。"))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- clips -----------------------------------------------------------------------------

_CLIP_FILTERS = [OpenApiParameter(name, OpenApiTypes.STR) for name in
                 ("q", "article", "agency", "compilation", "tag", "page")]


def _filter_id(value):
    try:
        return services.as_id(value, "") if value else None
    except services.WorkbenchError:
        return -1  # a bad id matches nothing, as on the reader pages


class ClipList(WorkbenchAPIView):
    @_doc("我的摘抄：q 用本站检索语法；按文章、机关、汇编、标签筛选", parameters=_CLIP_FILTERS,
          operation_id="clips_list")
    def get(self, request):
        params = request.query_params
        clips = selectors.clips_for(
            request.user, q=params.get("q", "")[:200],
            article=_filter_id(params.get("article")), agency=_filter_id(params.get("agency")),
            compilation=_filter_id(params.get("compilation")), tag=params.get("tag", "")[:20],
        )
        page, paging = _paged(clips, self.page_number())
        states = source_states(request.user, list(page))
        return Response({**paging, "results": [clip_json(c, states.get(c.pk)) for c in page]})

    @_doc("摘抄一段（或段内 start–end 的文字）",
          request=inline_serializer("ClipIn", {
              "article": serializers.IntegerField(),
              "paragraph": serializers.IntegerField(help_text="文章页上的第几段，小标题也算一段，从 1 开始"),
              "start": serializers.IntegerField(required=False, help_text="段内起点（字符，含）"),
              "end": serializers.IntegerField(required=False, help_text="段内终点（字符，不含）"),
              "note": serializers.CharField(required=False),
              "tags": serializers.ListField(child=serializers.CharField(), required=False),
          }), responses={201: _ANY})
    def post(self, request):
        data = self.body()
        clip = services.clip_create(
            owner=request.user, article_id=data.get("article"), paragraph=data.get("paragraph"),
            start=data.get("start"), end=data.get("end"), note=data.get("note", ""),
            tags=data.get("tags", ""),
        )
        return Response(clip_json(clip, None), status=status.HTTP_201_CREATED)


class ClipDetail(WorkbenchAPIView):
    @_doc("一条摘抄")
    def get(self, request, pk):
        clip = self.owned(Clip, pk)
        return Response(clip_json(clip, source_states(request.user, [clip]).get(clip.pk)))

    @_doc("修改笔记或标签", request=inline_serializer("ClipPatch", {
        "note": serializers.CharField(required=False),
        "tags": serializers.ListField(child=serializers.CharField(), required=False)}))
    def patch(self, request, pk):
        data = self.body()
        clip = services.clip_update(clip=self.owned(Clip, pk), note=data.get("note"),
                                    tags=data.get("tags"))
        return Response(clip_json(clip, source_states(request.user, [clip]).get(clip.pk)))

    @_doc("删除摘抄（组稿中保留其文字）", responses={204: None})
    def delete(self, request, pk):
        services.clip_delete(clip=self.owned(Clip, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- drafts ----------------------------------------------------------------------------


class DraftList(WorkbenchAPIView):
    @_doc("我的组稿", operation_id="drafts_list")
    def get(self, request):
        return Response({"results": [draft_json(request, d)
                                     for d in selectors.drafts_with_counts(request.user)]})

    @_doc("新建组稿", request=inline_serializer("DraftIn", {"title": serializers.CharField()}),
          responses={201: _ANY})
    def post(self, request):
        draft = services.draft_create(owner=request.user, title=self.body().get("title"))
        return Response(draft_json(request, draft, []), status=status.HTTP_201_CREATED)


class DraftDetail(WorkbenchAPIView):
    @_doc("组稿及其提纲（按顺序）")
    def get(self, request, pk):
        draft = self.owned(Draft, pk)
        return Response(draft_json(request, draft, list(selectors.draft_items(draft))))

    @_doc("修改组稿标题", request=inline_serializer("DraftRename", {"title": serializers.CharField()}))
    def patch(self, request, pk):
        draft = services.draft_rename(draft=self.owned(Draft, pk), title=self.body().get("title"))
        return Response(draft_json(request, draft, list(selectors.draft_items(draft))))

    @_doc("删除组稿", responses={204: None})
    def delete(self, request, pk):
        services.draft_delete(draft=self.owned(Draft, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DraftItems(WorkbenchAPIView):
    @_doc("在组稿末尾加一项：clip（我的摘抄）、heading（小标题）、text（正文），"
          "或 article + paragraph（从文章直接摘抄）",
          request=inline_serializer("DraftItemIn", {
              "clip": serializers.IntegerField(required=False),
              "heading": serializers.CharField(required=False),
              "text": serializers.CharField(required=False),
              "article": serializers.IntegerField(required=False),
              "paragraph": serializers.IntegerField(required=False),
              "start": serializers.IntegerField(required=False),
              "end": serializers.IntegerField(required=False),
          }), responses={201: _ANY})
    def post(self, request, pk):
        draft = self.owned(Draft, pk)
        data = self.body()
        item = services.draft_add_item(
            draft=draft, owner=request.user, clip_id=data.get("clip"),
            heading=data.get("heading"), text=data.get("text"),
            article_id=data.get("article"), paragraph=data.get("paragraph"),
            start=data.get("start"), end=data.get("end"),
        )
        return Response(item_json(item, None), status=status.HTTP_201_CREATED)


class DraftItemDetail(WorkbenchAPIView):
    def item(self, pk, item):
        draft = self.owned(Draft, pk)
        found = DraftItem.objects.filter(draft=draft, pk=item).first()
        if found is None:
            raise services.NotFound(_("该组稿中没有这一项。"))
        return found

    @_doc("修改自己写的小标题或正文",
          request=inline_serializer("DraftItemPatch", {"text": serializers.CharField()}))
    def patch(self, request, pk, item):
        found = services.draft_item_update(item=self.item(pk, item), text=self.body().get("text"))
        return Response(item_json(found, None))

    @_doc("删除一项", responses={204: None})
    def delete(self, request, pk, item):
        services.draft_item_delete(item=self.item(pk, item))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DraftOrder(WorkbenchAPIView):
    @_doc("重新排序：items 为全部条目编号的新顺序",
          request=inline_serializer("DraftOrderIn", {
              "items": serializers.ListField(child=serializers.IntegerField())}))
    def post(self, request, pk):
        draft = self.owned(Draft, pk)
        services.draft_reorder(draft=draft, item_ids=self.body().get("items"))
        return Response(draft_json(request, draft, list(selectors.draft_items(draft))))


# --- follows ---------------------------------------------------------------------------


class FollowList(WorkbenchAPIView):
    @_doc("我的关注，含上次查看以来新增的篇数", operation_id="follows_list")
    def get(self, request):
        follows = list(Follow.objects.owned_by(request.user))
        counts = follow_rules.new_counts(follows, request.user)
        return Response({"results": [follow_json(request, f, counts[f.pk]) for f in follows]})

    @_doc("关注一个检索（q 与筛选项，如 theme、year、from、to）或一个 agency、theme、"
          "initiative、region", request=inline_serializer("FollowIn", {
              "q": serializers.CharField(required=False),
              "agency": serializers.IntegerField(required=False),
              "theme": serializers.CharField(required=False),
              "initiative": serializers.CharField(required=False),
              "region": serializers.CharField(required=False),
          }), responses={201: _ANY})
    def post(self, request):
        follow = services.follow_create(owner=request.user, params=self.body())
        return Response(follow_json(request, follow, 0), status=status.HTTP_201_CREATED)


class FollowDetail(WorkbenchAPIView):
    @_doc("一个关注")
    def get(self, request, pk):
        follow = self.owned(Follow, pk)
        return Response(follow_json(request, follow,
                                    follow_rules.new_counts([follow], request.user)[follow.pk]))

    @_doc("开关每日邮件摘要", request=inline_serializer("FollowPatch", {
        "digest": serializers.BooleanField()}))
    def patch(self, request, pk):
        follow = services.follow_set_digest(follow=self.owned(Follow, pk),
                                            digest=self.body().get("digest"))
        return Response(follow_json(request, follow))

    @_doc("取消关注", responses={204: None})
    def delete(self, request, pk):
        services.follow_delete(follow=self.owned(Follow, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowToken(WorkbenchAPIView):
    @_doc("更换订阅地址（旧地址立即失效）")
    def post(self, request, pk):
        follow = services.follow_new_token(follow=self.owned(Follow, pk))
        return Response(follow_json(request, follow))


# --- downloads -------------------------------------------------------------------------

FORMATS = ("docx", "txt")


def _download(data, title, fmt, fallback):
    return attachment(data, fmt, export_filename(title, fmt), f"{fallback}.{fmt}")


class ExportThrottle(UserRateThrottle):
    """Downloads cost up to half a second of a worker each: ``WORKBENCH_EXPORT_RATE`` per
    reader (default 30 a minute), so one reader's script cannot starve the others."""

    scope = "workbench-export"

    def get_rate(self):
        return getattr(settings, "WORKBENCH_EXPORT_RATE", "30/min")


def _format(fmt):
    if fmt not in FORMATS:
        raise services.NotFound(_("不支持的下载格式。"))
    return fmt


class FolderExport(WorkbenchAPIView):
    throttle_classes = [ExportThrottle]

    @_doc("下载收藏夹（或 ?articles=1,2,3 所选文章）为 Word 或 TXT，至多 200 篇",
          parameters=[OpenApiParameter("articles", OpenApiTypes.STR)],
          responses={200: OpenApiTypes.BINARY})
    def get(self, request, pk, fmt):
        fmt, folder = _format(fmt), self.owned(Folder, pk)
        ids = list(selectors.folder_items(folder).values_list("article_id", flat=True))
        chosen = request.query_params.get("articles")
        if chosen:
            wanted = {services.as_id(v, _("文章")) for v in chosen.split(",") if v.strip()}
            ids = [pk for pk in ids if pk in wanted]
        data, title = articles_export(request.user, folder.name, ids, fmt)
        return _download(data, title, fmt, f"folder-{folder.pk}")


class SearchExport(WorkbenchAPIView):
    throttle_classes = [ExportThrottle]

    @_doc("下载检索结果的前 200 篇（参数同检索）", responses={200: OpenApiTypes.BINARY},
          parameters=[OpenApiParameter("q", OpenApiTypes.STR)])
    def get(self, request, fmt):
        fmt, params = _format(fmt), request.query_params
        q = params.get("q", "")[:MAX_QUERY_CHARS]
        match = params.get("match") if params.get("match") in MATCHES else AUTO
        filterset = ArticleFilter(params, queryset=Article.objects.visible_to(request.user))
        filtered = filterset.qs.order_by() if filterset.active() else None
        results = search_results(q, scope_for(request.user), filters=filtered, match=match)
        sort = filterset.sort_value()
        if sort and results.parsed:
            ids = list(results.matches().order_by(*ArticleFilter.SORTS[sort]).values_list(
                "pk", flat=True)[:MAX_EXPORT_ARTICLES])
        else:
            ids = list(results[0:MAX_EXPORT_ARTICLES])
        if not ids:
            raise services.WorkbenchError(_("没有检索结果可导出。"))
        title = _("检索结果：%(q)s") % {"q": q.strip()}
        data, title = articles_export(request.user, title, ids, fmt)
        return _download(data, title, fmt, "search")


class DraftExport(WorkbenchAPIView):
    throttle_classes = [ExportThrottle]

    @_doc("下载组稿为 Word（摘抄出处为脚注）或 TXT", responses={200: OpenApiTypes.BINARY})
    def get(self, request, pk, fmt):
        fmt, draft = _format(fmt), self.owned(Draft, pk)
        data, title = draft_export(request.user, draft, fmt)
        return _download(data, title, fmt, f"draft-{draft.pk}")
