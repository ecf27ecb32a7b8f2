"""The admin's import flow: upload a file → preview → confirm. Only the confirm writes.

How to hook it (``articles/admin.py``)::

    class CompilationAdmin(...):
        def get_urls(self):
            from .admin_import import import_urls
            return import_urls(self) + super().get_urls()

This adds two admin URLs under the compilation changelist:

- ``admin:articles_compilation_import`` (``…/compilation/import/``): GET shows the upload form,
  POST parses the file and shows the preview (articles, agencies, tags, warnings, new vs.
  already there) — nothing is written;
- ``admin:articles_compilation_import_confirm`` (``…/compilation/import/confirm/``): POST only;
  imports the staged file in one transaction and redirects to the compilation.

The "导入汇编" button: ``{% url 'admin:articles_compilation_import' %}`` in the changelist's
object-tools. Both views need the add-compilation permission. Between preview and confirm the
upload waits in a staging directory (``HUIBIAN_IMPORT_STAGING``, default: the system temp
directory) under a random name carried in a signed form field.
"""
import bisect
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importer import (
    ImportRefused,
    import_compilation,
    parse_file,
    preview_import,
    theme_vocabulary,
)
from .importer.decode import max_bytes
from .regions import gazetteer
from .text import placeholder_spans, restore_codes

_SALT = "huibian.import"
_MAX_AGE = 24 * 3600


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,  # the importer names the file in its own message
        label=gettext_lazy("汇编文件"),
        help_text=gettext_lazy("纯文本（UTF-8、GBK/GB18030、UTF-16 均可）、Word（.docx 或旧版 .doc）或带文字层的 PDF，最大 20 MB。"),
    )


def _staging_dir() -> Path:
    directory = Path(getattr(settings, "HUIBIAN_IMPORT_STAGING", "")
                     or Path(tempfile.gettempdir()) / "huibian-imports")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _stage(data: bytes, filename: str) -> str:
    """Keep the upload until the editor confirms; returns the signed ticket for the form.
    Uploads whose preview was abandoned more than a day ago are removed on the way."""
    directory = _staging_dir()
    expired = time.time() - _MAX_AGE
    for old in directory.iterdir():
        try:
            if old.is_file() and old.stat().st_mtime < expired:
                old.unlink()
        except OSError:  # another request removed it first
            pass
    name = secrets.token_hex(16)
    (directory / name).write_bytes(data)
    return signing.dumps({"name": name, "filename": filename}, salt=_SALT)


def _unstage(ticket: str):
    """(data, filename, path) of a staged upload, or None when the ticket is bad or stale."""
    try:
        value = signing.loads(ticket, salt=_SALT, max_age=_MAX_AGE)
    except signing.BadSignature:
        return None
    name = str(value.get("name", ""))
    if len(name) != 32 or not all(ch in "0123456789abcdef" for ch in name):
        return None
    staged = _staging_dir() / name
    if not staged.is_file():
        return None
    return staged.read_bytes(), str(value.get("filename") or "上传的文件"), staged


def marked_excerpt(text: str, limit: int = 160) -> str:
    """The opening of a text, codes restored, with anonymisation placeholders in <mark>."""
    text = restore_codes(text or "")[:limit]
    out, last = [], 0
    for start, end in placeholder_spans(text):
        out.append(escape(text[last:start]))
        out.append(f'<mark class="placeholder" title="{escape(_("匿名化占位符"))}">'
                   f"{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def _context(model_admin, request, **extra):
    opts = model_admin.model._meta
    site = model_admin.admin_site.name
    return {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": _("导入汇编"),
        "upload_url": reverse(f"{site}:articles_compilation_import"),
        "confirm_url": reverse(f"{site}:articles_compilation_import_confirm"),
        "changelist_url": reverse(f"{site}:articles_compilation_changelist"),
        **extra,
    }


def _render_form(model_admin, request, form, status=200, error=None):
    return render(request, "admin/articles/compilation/import_form.html",
                  _context(model_admin, request, form=form, error=error), status=status)


def _agency_names(preview, limit=300) -> list[str]:
    """Names offered while editing an article's agency: the file's, then the busiest ones."""
    from django.db.models import Count

    from .models import Agency

    names = [name for name, _new in preview.agencies]
    names += [name for name in Agency.objects.annotate(n=Count("articles"))
              .order_by("-n", "name").values_list("name", flat=True)[:limit] if name not in names]
    return names


def _notes_by_article(parsed):
    """The parser's notes (line, text): those before the first article (title, 目录), and per
    article those from its title line up to the next article's."""
    starts = [article.line for article in parsed.articles]
    before, at = [], [[] for _ in starts]
    for line, text in parsed.notes:
        n = bisect.bisect_right(starts, line) - 1
        (before if n < 0 else at[n]).append((line, text))
    return before, at


def upload_view(model_admin, request):
    """GET: the upload form. POST: parse the file and show the preview (nothing written)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        return _render_form(model_admin, request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(model_admin, request, form, status=400)
    upload = form.cleaned_data["file"]
    filename = Path(upload.name or "").name or _("上传的文件")
    if upload.size is not None and upload.size > max_bytes():
        form.add_error("file", _("%(name)s：文件过大，上限为 %(limit)d MB")
                       % {"name": filename, "limit": max_bytes() // (1024 * 1024)})
        return _render_form(model_admin, request, form, status=400)
    data = upload.read()
    try:
        parsed = parse_file(data, filename=filename, vocabulary=theme_vocabulary())
    except ImportRefused as refusal:
        form.add_error("file", str(refusal))
        return _render_form(model_admin, request, form, status=400)
    preview = preview_import(parsed)
    notes_before, notes_at = _notes_by_article(parsed)
    rows = [
        {"preview": row, "excerpt": marked_excerpt(row.parsed.original_text),
         "placeholders": len(placeholder_spans(row.parsed.original_text)),
         "region_path": gazetteer().path(row.parsed.region),
         "notes": notes_at[n],
         "display_title": restore_codes(row.parsed.title)}
        for n, row in enumerate(preview.articles)
    ]
    return render(request, "admin/articles/compilation/import_preview.html", _context(
        model_admin, request, preview=preview, parsed=parsed, rows=rows,
        hand_edited=sum(1 for row in preview.articles if row.hand_edits),
        agency_names=_agency_names(preview), notes_before=notes_before,
        ticket=_stage(data, filename), filename=filename,
        title=_("导入预览：%(title)s") % {"title": parsed.title},
    ))


def _region_typed(text, article, n, filename):
    """The region code an editor typed for article ``n`` (a name, a short name or the path the
    preview showed); refuses the whole import for a name that is no region."""
    text = text.strip()
    if not text:
        return None
    places = gazetteer()
    if text == places.path(article.region):
        return article.region
    place = places.place_of(text)
    if place is None:
        raise ImportRefused(filename, _("第 %(n)d 篇《%(title)s》：“%(region)s”不是可识别的地区名称，"
                                        "请写省、地或县的名称（如：都匀市、黔南州）")
                            % {"n": n + 1, "title": article.title, "region": text[:30]})
    return place.code


def apply_edits(parsed, post) -> None:
    """The editor's changes in the preview, applied to the parsed file before it is written:
    per article (by its position in the file) agency, initiatives, themes, 仅会员可读, or
    not importing it. The preview shows exactly these fields, filled with what was parsed."""
    from .importer import prepare
    from .tagging import parse_tags

    prepare(parsed)  # the regions the preview showed, before the editor's changes
    if not post.get("edited"):
        return
    members = {v for v in post.getlist("members_only") if v.isdigit()}
    dropped = {v for v in post.getlist("drop") if v.isdigit()}
    kept = []
    for n, article in enumerate(parsed.articles):
        if str(n) in dropped:
            continue
        if f"agency_{n}" in post:
            article.agency = post[f"agency_{n}"].strip()[:100] or None
        if f"region_{n}" in post:
            article.region = _region_typed(post[f"region_{n}"], article, n, parsed.source_name)
        if f"initiatives_{n}" in post:
            article.initiatives = parse_tags(post[f"initiatives_{n}"])
        if f"themes_{n}" in post:
            article.themes = parse_tags(post[f"themes_{n}"])
        article.members_only = str(n) in members
        kept.append(article)
    parsed.articles = kept


def confirm_view(model_admin, request):
    """POST: import the staged file in one transaction, then go to the compilation."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    staged = _unstage(request.POST.get("ticket", ""))
    if staged is None:
        return _render_form(model_admin, request, ImportUploadForm(), status=400,
                            error=_("预览已过期或无效，请重新上传文件。"))
    data, filename, staged_path = staged
    try:
        parsed = parse_file(data, filename=filename, vocabulary=theme_vocabulary())
        apply_edits(parsed, request.POST)
        take_file = {int(v) for v in request.POST.getlist("take_file") if v.isdigit()}
        result = import_compilation(parsed, user=request.user,
                                    publish=bool(request.POST.get("publish")), take_file=take_file)
    except ImportRefused as refusal:
        return _render_form(model_admin, request, ImportUploadForm(), status=400, error=str(refusal))
    staged_path.unlink(missing_ok=True)
    level = messages.INFO if result.status == "unchanged" else messages.SUCCESS
    messages.add_message(request, level, result.summary())
    for warning in result.warnings:
        messages.warning(request, warning)
    site = model_admin.admin_site.name
    return redirect(reverse(f"{site}:articles_compilation_change", args=[result.compilation.pk]))


def import_urls(model_admin) -> list:
    """The import URLs for a Compilation ModelAdmin's ``get_urls()`` (see module docstring)."""
    wrap = model_admin.admin_site.admin_view
    return [
        path("import/", wrap(lambda request: upload_view(model_admin, request)),
             name="articles_compilation_import"),
        path("import/confirm/", wrap(lambda request: confirm_view(model_admin, request)),
             name="articles_compilation_import_confirm"),
    ]
