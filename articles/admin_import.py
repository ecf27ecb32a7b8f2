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

A file holding more text than ``HUIBIAN_IMPORT_JOB_BYTES`` is previewed, and then imported,
by a background job (``articles.jobs``, the imports cluster) instead of in the request: the
upload and the confirm answer at once with a progress page
(``admin:articles_compilation_import_job``, polling ``…_import_job_status``), which becomes
the same preview page, or the compilation, when the job is done. Both paths run the same
functions: ``preview_data`` (what the preview page shows, its table rows rendered) and
``parse_confirmed`` + ``import_confirmed`` (the confirm's import of exactly what the
preview's form posted).
"""
import bisect
import secrets
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importer import (
    ImportRefused,
    import_compilation,
    parse_file,
    preview_import,
    text_size,
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


def clear_expired_uploads() -> int:
    """Remove the staged uploads whose ticket has expired (previews abandoned more than a day
    ago); returns how many. Run on every upload and, by a schedule, every hour."""
    directory = _staging_dir()
    expired = time.time() - _MAX_AGE
    removed = 0
    for old in directory.iterdir():
        try:
            if old.is_file() and old.stat().st_mtime < expired:
                old.unlink()
                removed += 1
        except OSError:  # another request removed it first
            pass
    return removed


def _stage(data: bytes, filename: str) -> str:
    """Keep the upload until the editor confirms; returns the signed ticket for the form.
    Uploads whose preview was abandoned more than a day ago are removed on the way."""
    directory = _staging_dir()
    clear_expired_uploads()
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


def _agency_names(agencies, limit=300) -> list[str]:
    """Names offered while editing an article's agency: the file's ((name, is new) pairs),
    then the busiest ones."""
    from django.db.models import Count

    from .models import Agency

    names = [name for name, _new in agencies]
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


ROWS_PER_CHUNK = 200  # preview rows rendered between two progress reports


def preview_data(data: bytes, filename: str, *, progress=None) -> dict:
    """Parse an upload and compare it with the library: what the preview page shows, as
    JSON-able data with the table's rows already rendered (the bulk of the page's work, so
    that a job's preview page costs its request little). Raises ImportRefused."""
    report = progress or (lambda stage, fraction: None)
    parsed = parse_file(data, filename=filename, vocabulary=theme_vocabulary(),
                        progress=progress)
    preview = preview_import(parsed, progress=progress)
    notes_before, notes_at = _notes_by_article(parsed)
    rows = [
        {"n": n, "number": n + 1, "preview": row,
         "excerpt": marked_excerpt(row.parsed.original_text),
         "placeholders": len(placeholder_spans(row.parsed.original_text)),
         "region_path": gazetteer().path(row.parsed.region),
         "notes": notes_at[n],
         "display_title": restore_codes(row.parsed.title)}
        for n, row in enumerate(preview.articles)
    ]
    chunks = []
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        report("show", start / len(rows))
        chunks.append(render_to_string("admin/articles/compilation/import_preview_rows.html",
                                       {"rows": rows[start:start + ROWS_PER_CHUNK]}))
    existing = preview.existing
    return {
        "parsed": {"title": parsed.title, "declared_count": parsed.declared_count,
                   "toc_count": len(parsed.toc), "article_count": len(parsed.articles),
                   "warnings": list(parsed.warnings)},
        "preview": {"status": preview.status,
                    "existing": {"title": existing.title} if existing is not None else None,
                    "agencies": preview.agencies, "initiatives": preview.initiatives,
                    "themes": preview.themes},
        "hand_edited": sum(1 for row in preview.articles if row.hand_edits),
        "notes_before": notes_before,
        "rows_html": "".join(chunks),
    }


def render_preview(model_admin, request, data: dict, *, ticket: str, filename: str):
    """The preview page of ``preview_data``'s data, whose confirm carries ``ticket``."""
    return render(request, "admin/articles/compilation/import_preview.html", _context(
        model_admin, request, preview=data["preview"], parsed=data["parsed"],
        rows_html=mark_safe(data["rows_html"]),  # our own template's output, escaped there
        hand_edited=data["hand_edited"], notes_before=data["notes_before"],
        agency_names=_agency_names(data["preview"]["agencies"]),
        ticket=ticket, filename=filename,
        title=_("导入预览：%(title)s") % {"title": data["parsed"]["title"]},
    ))


def needs_job(data: bytes) -> bool:
    """Whether an upload's preview and confirm run as a background job (module docstring)."""
    return text_size(data) > settings.HUIBIAN_IMPORT_JOB_BYTES


def _job_url(model_admin, job) -> str:
    return reverse(f"{model_admin.admin_site.name}:articles_compilation_import_job",
                   args=[job.pk])


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
    if needs_job(data):
        from .jobs.tasks import import_job_start

        job = import_job_start(kind="preview", ticket=_stage(data, filename),
                               filename=filename, size=len(data), user=request.user)
        return redirect(_job_url(model_admin, job))
    try:
        preview = preview_data(data, filename)
    except ImportRefused as refusal:
        form.add_error("file", str(refusal))
        return _render_form(model_admin, request, form, status=400)
    return render_preview(model_admin, request, preview, ticket=_stage(data, filename),
                          filename=filename)


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


def parse_confirmed(data: bytes, filename: str, post, *, progress=None):
    """The confirm's first half, before any transaction: the staged file parsed again and the
    preview form's ``post`` (a QueryDict or MultiValueDict) applied. Raises ImportRefused."""
    parsed = parse_file(data, filename=filename, vocabulary=theme_vocabulary(),
                        progress=progress)
    apply_edits(parsed, post)
    return parsed


def import_confirmed(parsed, post, *, user):
    """The confirm's second half: exactly what the preview showed, as edited, written in one
    transaction; returns the ImportResult (ImportRefused: nothing written)."""
    take_file = {int(v) for v in post.getlist("take_file") if v.isdigit()}
    return import_compilation(parsed, user=user, publish=bool(post.get("publish")),
                              take_file=take_file)


def confirmed_messages(request, *, status: str, summary: str, warnings) -> None:
    """What the compilation page says after an import (its summary line and warnings)."""
    messages.add_message(request, messages.INFO if status == "unchanged" else messages.SUCCESS,
                         summary)
    for warning in warnings:
        messages.warning(request, warning)


def _expired(model_admin, request):
    return _render_form(model_admin, request, ImportUploadForm(), status=400,
                        error=_("预览已过期或无效，请重新上传文件。"))


def confirm_view(model_admin, request):
    """POST: import the staged file in one transaction, then go to the compilation."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ticket = request.POST.get("ticket", "")
    staged = _unstage(ticket)
    if staged is None:
        return _expired(model_admin, request)
    data, filename, staged_path = staged
    if needs_job(data):
        from .jobs.models import ImportJob
        from .jobs.tasks import import_job_start

        job = (ImportJob.objects.filter(kind=ImportJob.Kind.CONFIRM, ticket=ticket)
               .exclude(state=ImportJob.State.FAILED).first())  # a second click: the same job
        if job is None:
            edits = {key: values for key, values in request.POST.lists()
                     if key != "csrfmiddlewaretoken"}
            job = import_job_start(kind="confirm", ticket=ticket, filename=filename,
                                   size=len(data), user=request.user, edits=edits)
        return redirect(_job_url(model_admin, job))
    try:
        result = import_confirmed(parse_confirmed(data, filename, request.POST), request.POST,
                                  user=request.user)
    except ImportRefused as refusal:
        return _render_form(model_admin, request, ImportUploadForm(), status=400, error=str(refusal))
    staged_path.unlink(missing_ok=True)
    confirmed_messages(request, status=result.status, summary=result.summary(),
                       warnings=result.warnings)
    site = model_admin.admin_site.name
    return redirect(reverse(f"{site}:articles_compilation_change", args=[result.compilation.pk]))


NO_WORKER_AFTER = 10  # seconds queued before the page says that no worker has taken the job
SILENT_BEATS = 6  # heartbeats missed before the page says that a running job's worker died


def job_status(job) -> dict:
    """What the progress page shows of a job, as its status view's JSON gives it."""
    from .jobs.models import ImportJob
    from .jobs.tasks import silent_for

    now = timezone.now()
    waited = (now - job.created_at).total_seconds()
    note = ""
    if (job.state == ImportJob.State.RUNNING and job.started_at is not None
            and (now - job.started_at).total_seconds() > settings.IMPORT_JOBS_TIMEOUT):
        note = _("这次运行已超过时限，后台任务进程可能已中断；任务会自动重新开始。")
    elif (job.state == ImportJob.State.RUNNING
          and (silent := silent_for(job)) > SILENT_BEATS * settings.IMPORT_JOBS_HEARTBEAT):
        # Killed mid-run: its transaction rolled back; its queue entry is delivered again
        # once the lock a worker took on it runs out (IMPORT_JOBS_RETRY after the start).
        again = localtime(job.started_at + timedelta(seconds=settings.IMPORT_JOBS_RETRY))
        note = _("后台任务进程在运行中中断了（%(n)d 秒没有动静），这次运行没有写入任何内容。"
                 "任务会在 %(time)s 左右自动重新开始。") % {
            "n": silent, "time": date_format(again, "H:i")}
    elif job.state == ImportJob.State.QUEUED and job.attempts == 0 and waited > NO_WORKER_AFTER:
        note = _("已排队 %(n)d 秒，还没有后台任务进程接手：导入任务进程（Q_CLUSTER_NAME=imports "
                 "python manage.py qcluster）似乎没有运行。任务会一直排队，进程启动后自动开始。"
                 ) % {"n": waited}
    elif job.state == ImportJob.State.QUEUED and job.attempts:
        note = _("上次运行没有完成（第 %(n)d 次），稍后自动重试。") % {"n": job.attempts}
    return {"state": job.state, "state_label": job.get_state_display(),
            "progress": job.progress, "stage": job.stage, "note": note,
            "error": job.error if job.state == ImportJob.State.FAILED else "",
            "finished": job.finished}


def job_view(model_admin, request, job_id):
    """A job's page: its progress while it runs; when done, the preview page (a preview) or
    the compilation (a confirm); its error when it failed."""
    from .jobs.models import ImportJob

    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.state == ImportJob.State.DONE and job.kind == ImportJob.Kind.PREVIEW:
        if job.result is None or _unstage(job.ticket) is None:  # its day is over
            return _expired(model_admin, request)
        return render_preview(model_admin, request, job.result, ticket=job.ticket,
                              filename=job.filename)
    if job.state == ImportJob.State.DONE:
        confirmed_messages(request, status=job.result["status"], summary=job.result["summary"],
                           warnings=job.result["warnings"])
        site = model_admin.admin_site.name
        return redirect(reverse(f"{site}:articles_compilation_change",
                                args=[job.result["compilation"]]))
    site = model_admin.admin_site.name
    return render(request, "admin/articles/compilation/import_job.html", _context(
        model_admin, request, job=job, status=job_status(job),
        status_url=reverse(f"{site}:articles_compilation_import_job_status", args=[job.pk]),
        jobs_url=reverse(f"{site}:articles_importjob_changelist"),
        title=_("导入任务：%(name)s") % {"name": job.filename},
    ))


def job_status_view(model_admin, request, job_id):
    """GET: the job's state and progress as JSON, polled by its page (static/js/import_job.js)."""
    from .jobs.models import ImportJob

    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    job = get_object_or_404(ImportJob.objects.defer("result", "edits", "traceback"), pk=job_id)
    response = JsonResponse(job_status(job))
    response["Cache-Control"] = "no-store"
    return response


def import_urls(model_admin) -> list:
    """The import URLs for a Compilation ModelAdmin's ``get_urls()`` (see module docstring)."""
    wrap = model_admin.admin_site.admin_view
    return [
        path("import/", wrap(lambda request: upload_view(model_admin, request)),
             name="articles_compilation_import"),
        path("import/confirm/", wrap(lambda request: confirm_view(model_admin, request)),
             name="articles_compilation_import_confirm"),
        path("import/job/<int:job_id>/",
             wrap(lambda request, job_id: job_view(model_admin, request, job_id)),
             name="articles_compilation_import_job"),
        path("import/job/<int:job_id>/status/",
             wrap(lambda request, job_id: job_status_view(model_admin, request, job_id)),
             name="articles_compilation_import_job_status"),
    ]
