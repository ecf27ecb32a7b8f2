"""Article and compilation downloads (.docx, .txt).

Members-only text never leaves through here unless the reader may read it: an anonymous
reader asking for a members-only article is sent to the login page (and back afterwards);
a signed-in reader who is no member gets a 403 page saying why. A compilation downloads for
everyone, with members-only articles reduced to title, teaser and notice for non-members.
Drafts are 404 for everyone but editors.
"""
from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ..exports import article_content, compilation_contents, export_filename, xml_safe
from ..exports.docx import article_docx, compilation_docx
from ..exports.txt import article_txt, compilation_txt
from ..models import Article
from ..permissions import can_read_full, visible_compilations
from ..text import restore_codes

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
}
ARTICLE_RENDERERS = {"docx": article_docx, "txt": article_txt}
COMPILATION_RENDERERS = {"docx": compilation_docx, "txt": compilation_txt}


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one per RFC 6266/5987."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(data: bytes, fmt: str, filename: str, fallback: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(filename, fallback)
    # What a download holds depends on who asks; no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


def _forbidden(request) -> HttpResponse:
    message = _("本文仅对会员开放，您的账号不是会员，不能下载全文。")
    return HttpResponseForbidden(render_to_string("403.html", {"message": message}, request))


def article_download(request, pk, fmt):
    """One article as .docx or .txt, for readers who may read it in full."""
    if fmt not in ARTICLE_RENDERERS:
        raise Http404(_("不支持的下载格式。"))
    article = get_object_or_404(
        Article.objects.visible_to(request.user).select_related("agency", "compilation"), pk=pk
    )
    if not can_read_full(request.user, article):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _forbidden(request)
    data = ARTICLE_RENDERERS[fmt](article_content(article, request.user))
    return attachment(
        data, fmt, export_filename(article.display_title, fmt), f"article-{article.pk}.{fmt}"
    )


def compilation_download(request, pk, fmt):
    """A whole compilation as .docx or .txt, each article as far as the reader may read it."""
    if fmt not in COMPILATION_RENDERERS:
        raise Http404(_("不支持的下载格式。"))
    compilation = get_object_or_404(visible_compilations(request.user), pk=pk)
    contents = compilation_contents(compilation, request.user)
    title = xml_safe(restore_codes(compilation.title))
    data = COMPILATION_RENDERERS[fmt](title, contents)
    return attachment(
        data, fmt, export_filename(title, fmt), f"compilation-{compilation.pk}.{fmt}"
    )
