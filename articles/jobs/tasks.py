"""What the job clusters run, and how an admin import becomes a job.

``run_import_job(job_id)`` runs on the imports cluster; the schedules
(``articles.jobs.schedules``) run ``run_command`` and ``clear_expired_uploads`` on the
default one. Every job may run more than once (delivery is at least once, see the package
docstring), so each is safe to repeat: a preview is computed again, a confirm writes the
import and marks its job done in one transaction, so a second run finds it done.
"""
import threading
import time
import traceback
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import MAX_ATTEMPTS, ImportJob

State = ImportJob.State

# Each stage's share of the progress bar: (stage reported by the importer, from %, to %).
STAGES = {
    ImportJob.Kind.PREVIEW: {"read": (0, 2), "parse": (2, 50), "compare": (50, 60),
                             "show": (60, 99)},
    ImportJob.Kind.CONFIRM: {"read": (0, 2), "parse": (2, 40), "write": (40, 99)},
}
STAGE_LABELS = {
    "read": gettext_lazy("读取文件"), "parse": gettext_lazy("解析文章"),
    "compare": gettext_lazy("与库中已有内容比对"), "show": gettext_lazy("生成预览"),
    "write": gettext_lazy("写入数据库"),
}


def import_job_start(*, kind: str, ticket: str, filename: str, size: int, user,
                     edits: dict | None = None) -> ImportJob:
    """Queue a staged upload's preview or confirm on the imports cluster; returns its row.
    ``edits``: the preview form as posted (``{name: [values]}``), for a confirm."""
    from django_q.tasks import async_task

    with transaction.atomic():  # the row and its queue entry (same database), or neither
        job = ImportJob.objects.create(
            kind=kind, ticket=ticket, filename=filename[:255], size=size,
            user=user if user is not None and user.is_authenticated else None,
            edits=edits or {}, stage=_("等待后台任务进程"))
        # Only the id travels: the payload is pickled, and the row holds the rest.
        async_task("articles.jobs.tasks.run_import_job", job.pk,
                   cluster=settings.IMPORT_JOBS_CLUSTER, task_name=f"import-job-{job.pk}")
    return job


class _Progress:
    """The importer's progress callback for one job: stage and fraction mapped onto the
    job's bar, written at most twice a second (one UPDATE) and never from inside a
    transaction (it would not be seen before the commit, and SQLite has one writer)."""

    def __init__(self, job):
        self.pk, self.stages = job.pk, STAGES[job.kind]
        self.last = (None, -1, 0.0)

    def __call__(self, stage: str, fraction: float) -> None:
        if stage not in self.stages or connection.in_atomic_block:
            return
        start, end = self.stages[stage]
        percent = int(start + (end - start) * min(max(fraction, 0.0), 1.0))
        last_stage, last_percent, last_time = self.last
        now = time.monotonic()
        if stage == last_stage and (percent <= last_percent or now - last_time < 0.5):
            return
        self.last = (stage, percent, now)
        ImportJob.objects.filter(pk=self.pk, state=State.RUNNING).update(
            progress=percent, stage=str(STAGE_LABELS[stage]))


def heartbeat_path(job_id: int) -> Path:
    """The file a running import job touches every ``IMPORT_JOBS_HEARTBEAT`` seconds, beside
    the staged uploads (which the web and the workers share already)."""
    from ..admin_import import _staging_dir

    return _staging_dir() / f"job-{int(job_id)}.alive"


@contextmanager
def _heartbeat(job_id: int):
    """While the body runs, a thread touches the job's heartbeat file: the progress page
    tells a run that is still working (inside a write transaction of minutes, in which the
    job's row cannot be updated) from one whose worker was killed, long before the lock on
    its queue entry runs out and the job is delivered again."""
    path, stop = heartbeat_path(job_id), threading.Event()

    def beat():
        while True:
            try:
                path.touch()
            except OSError:  # the page then says nothing it does not know
                pass
            if stop.wait(settings.IMPORT_JOBS_HEARTBEAT):
                return

    thread = threading.Thread(target=beat, name=f"import-job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        path.unlink(missing_ok=True)


def silent_for(job) -> float:
    """Seconds since a running job's worker last showed it was alive (its heartbeat, or its
    start before the first beat)."""
    try:
        last = heartbeat_path(job.pk).stat().st_mtime
    except OSError:
        last = job.started_at.timestamp() if job.started_at else time.time()
    return max(0.0, time.time() - last)


def _finish(job, **values) -> None:
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **values)


def run_import_job(job_id: int) -> str:
    """Run an ImportJob's preview or confirm (on the imports cluster)."""
    claimed = ImportJob.objects.filter(pk=job_id, state__in=[State.QUEUED, State.RUNNING]) \
        .update(state=State.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now(),
                progress=0)
    if not claimed:
        return f"import job {job_id}: already finished or deleted"
    job = ImportJob.objects.get(pk=job_id)
    if job.attempts > MAX_ATTEMPTS:
        # The runs before were cut off (the worker died or was killed, maybe by this job).
        _finish(job, state=State.FAILED, stage="", error=_(
            "后台任务进程在运行中两次中断，导入没有完成（可能是文件太大、内存不足）。未写入任何内容。"))
        return f"import job {job_id}: given up after {MAX_ATTEMPTS} interrupted runs"
    from ..importer import ImportRefused

    with translation.override(settings.LANGUAGE_CODE), _heartbeat(job_id):
        try:
            if job.kind == ImportJob.Kind.PREVIEW:
                _preview(job)
            else:
                _confirm(job)
        except ImportRefused as refusal:  # the file's problem: trying again changes nothing
            _finish(job, state=State.FAILED, stage="", error=str(refusal)[:500])
            return f"import job {job_id}: refused"
        except (Exception, SystemExit) as exc:  # SystemExit: django-q2's timeout
            final = job.attempts >= MAX_ATTEMPTS
            ImportJob.objects.filter(pk=job.pk).update(
                state=State.FAILED if final else State.QUEUED,
                traceback=traceback.format_exc(), finished_at=timezone.now() if final else None,
                error=_error_line(job, exc) if final else "")
            raise  # django-q2 records the failure and delivers the job again after `retry`
    return f"import job {job_id}: done"


def _error_line(job, exc) -> str:
    from django_q.exceptions import TimeoutException

    if isinstance(exc, TimeoutException):
        return _("导入用时超过后台任务的时限（%(n)d 秒），已重试一次仍未完成。未写入任何内容。"
                 ) % {"n": settings.IMPORT_JOBS_TIMEOUT}
    return _("导入出错（%(error)s），已重试一次仍未成功。未写入任何内容；请将任务编号 #%(id)d "
             "告知管理员。") % {"error": type(exc).__name__, "id": job.pk}


def _staged(job):
    from ..admin_import import _unstage
    from ..importer import ImportRefused

    staged = _unstage(job.ticket)
    if staged is None:
        raise ImportRefused(job.filename, _("预览已过期或无效，请重新上传文件。"))
    return staged


def _preview(job) -> None:
    from ..admin_import import preview_data

    data, filename, _path = _staged(job)
    result = preview_data(data, filename, progress=_Progress(job))
    _finish(job, state=State.DONE, progress=100, stage="", result=result, error="")


def _confirm(job) -> None:
    from ..admin_import import import_confirmed, parse_confirmed

    data, filename, staged_path = _staged(job)
    progress = _Progress(job)
    post = MultiValueDict({key: list(values) for key, values in job.edits.items()})
    parsed = parse_confirmed(data, filename, post, progress=progress)  # outside: no lock held
    progress("write", 0.0)
    with transaction.atomic():
        # The import and its job's "done" commit together: a run after a crash that came
        # after the commit finds the job done and writes nothing twice.
        result = import_confirmed(parsed, post, user=job.user)
        _finish(job, state=State.DONE, progress=100, stage="", error="", result={
            "compilation": result.compilation.pk, "status": result.status,
            "summary": result.summary(), "warnings": list(result.warnings)})
    staged_path.unlink(missing_ok=True)


def run_command(name: str, *args) -> str:
    """A management command as a scheduled job; returns what it printed (shown with the
    task in the admin). A CommandError fails the task, with its message."""
    from django.core.management import call_command

    out = StringIO()
    call_command(name, *args, stdout=out, stderr=out)
    return out.getvalue()


def clear_expired_uploads() -> str:
    """Hourly: remove the staged import uploads whose ticket has expired, and the data of
    the import jobs that carried such a ticket (a preview's rendered rows, a confirm's form:
    megabytes for a large file); the jobs' rows stay, for the list of imports."""
    from ..admin_import import _MAX_AGE
    from ..admin_import import clear_expired_uploads as clear

    expired = timezone.now() - timedelta(seconds=_MAX_AGE)
    emptied = (ImportJob.objects.filter(created_at__lt=expired, state=State.DONE,
                                        kind=ImportJob.Kind.PREVIEW)
               .exclude(result=None).update(result=None))
    emptied += (ImportJob.objects.filter(created_at__lt=expired, kind=ImportJob.Kind.CONFIRM)
                .exclude(edits={}).update(edits={}))
    return f"removed {clear()} expired staged uploads, emptied {emptied} import jobs"
