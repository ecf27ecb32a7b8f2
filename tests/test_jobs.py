"""Background jobs on real parts: a ``qcluster`` process started here against the test
database (the ORM broker: the queue is a table in it) takes the admin's large imports; one
killed with SIGKILL mid-import loses nothing; a job that fails twice is shown with its error;
the schedules are kept by migrate; small imports need no worker at all."""
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from articles import admin_import
from articles.importer.synthetic import make_compilation_text
from articles.jobs.models import ImportJob
from articles.management.commands.bench_load import Command as BenchLoad
from articles.models import Article, Compilation
from tests.factories import make_user
from tests.formdata import form_data
from tests.importer.helpers import ImportFlow

ROOT = Path(__file__).resolve().parent.parent
UPLOAD = reverse("admin:articles_compilation_import")
CONFIRM = reverse("admin:articles_compilation_import_confirm")
# Seconds, not an hour: a job's queue row is locked for RETRY once a worker takes it, so a
# job whose worker died runs again RETRY seconds after it was taken.
FAST = {"IMPORT_JOBS_TIMEOUT": "5", "IMPORT_JOBS_RETRY": "6", "JOBS_POLL": "0.1",
        "IMPORT_JOBS_HEARTBEAT": "0.2"}


class Worker:
    """``Q_CLUSTER_NAME=imports python manage.py qcluster`` (or tests.jobs_worker, which
    makes a fault) in its own process group, on the test database."""

    def __init__(self, log: Path, staging: Path, *, module=None, **env):
        self.log = log
        command = ["-m", module] if module else ["manage.py", "qcluster"]
        self.process = subprocess.Popen(
            [sys.executable, *command], cwd=ROOT, start_new_session=True,
            stdout=log.open("ab"), stderr=subprocess.STDOUT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
                 "DATABASE_URL": BenchLoad._database_url(), "Q_CLUSTER_NAME": "imports",
                 "HUIBIAN_IMPORT_STAGING": str(staging), **FAST, **env})

    def kill(self):
        """SIGKILL to the whole group: the cluster and its workers die mid-job."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        """SIGTERM to the main process only (django-q2 may hang when the whole group gets
        it), then SIGKILL if it has not stopped."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture
def jobs(seeded_transactional_db, settings, tmp_path):
    """An editor's client, uploads staged where workers see them, a low job threshold (so
    small files, quick to import, go to jobs), and ``start(**env)`` for workers."""
    staging = tmp_path / "staging"
    staging.mkdir()
    settings.HUIBIAN_IMPORT_STAGING = str(staging)
    settings.HUIBIAN_IMPORT_JOB_BYTES = 1024
    client = Client()
    client.force_login(make_user("编辑甲", group="编辑", staff=True))
    workers = []

    def start(**env):
        workers.append(Worker(tmp_path / f"worker-{len(workers)}.log", staging, **env))
        return workers[-1]

    yield type("Jobs", (), {"client": client, "start": staticmethod(start),
                            "workers": workers})
    for worker in workers:
        worker.stop()


def upload(client, articles=12, seed=31):
    text = make_compilation_text(seed, articles)
    return client.post(UPLOAD, {"file": SimpleUploadedFile(f"汇编{seed}.txt", text.encode())})


def job_of(response) -> ImportJob:
    match = re.search(r"/import/job/(\d+)/$", response["Location"])
    assert response.status_code == 302 and match, (response.status_code, response.get("Location"))
    return ImportJob.objects.get(pk=match.group(1))


def wait_finished(client, job, workers, seconds=40) -> dict:
    """Poll the job's status view, as its page does, until the job has finished."""
    url = reverse("admin:articles_compilation_import_job_status", args=[job.pk])
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        status = client.get(url).json()
        seen.append((status["state"], status["progress"]))
        if status["finished"]:
            return {**status, "seen": seen}
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} not finished after {seconds} s: {seen[-5:]}\n"
                         + "\n".join(worker.tail() for worker in workers))


def test_a_large_upload_is_previewed_and_imported_by_a_worker(jobs):
    response = upload(jobs.client)
    job = job_of(response)
    assert (job.kind, job.state) == ("preview", "queued")
    page = jobs.client.get(response["Location"])
    assert page.status_code == 200
    assert '<progress id="import-job-progress"' in page.content.decode()
    assert "js/import_job.js" in page.content.decode()

    jobs.start()
    status = wait_finished(jobs.client, job, jobs.workers)
    assert status["state"] == "done", status
    preview = jobs.client.get(response["Location"])  # the job's page is now its preview
    body = preview.content.decode()
    assert preview.status_code == 200 and "这是一份新汇编" in body
    assert body.count('name="agency_') == 12
    assert Compilation.objects.count() == 0  # a preview writes nothing

    # The preview stays editable: drop the first article, change the second one's agency.
    data = form_data(preview, "import-confirm")
    data["drop"] = "0"
    data["agency_1"] = "市档案馆"
    confirmed = jobs.client.post(CONFIRM, data)
    confirm_job = job_of(confirmed)
    assert confirm_job.kind == "confirm"
    assert wait_finished(jobs.client, confirm_job, jobs.workers)["state"] == "done"
    done = jobs.client.get(confirmed["Location"])
    compilation = Compilation.objects.get()
    assert done["Location"] == reverse("admin:articles_compilation_change", args=[compilation.pk])
    articles = list(compilation.articles.order_by("position").select_related("agency"))
    assert len(articles) == 11
    assert articles[0].agency.name == "市档案馆"
    assert articles[0].history.first().history_user.username == "编辑甲"
    assert "已导入" in jobs.client.get(done["Location"]).content.decode()  # its summary


def test_a_worker_killed_mid_import_loses_no_job(jobs, tmp_path, settings):
    settings.IMPORT_JOBS_HEARTBEAT = float(FAST["IMPORT_JOBS_HEARTBEAT"])
    ticket = admin_import._stage(make_compilation_text(47, 15).encode(), "被中断的导入.txt")
    job = job_of(jobs.client.post(CONFIRM, {"ticket": ticket, "publish": "1"}))
    status_url = reverse("admin:articles_compilation_import_job_status", args=[job.pk])
    inside = tmp_path / "inside-the-write"
    first = jobs.start(module="tests.jobs_worker", HUIBIAN_TEST_HANG_IN_WRITE=str(inside))
    deadline = time.monotonic() + 30
    while not inside.exists():
        assert time.monotonic() < deadline, first.tail()
        time.sleep(0.05)
    time.sleep(2)  # ten heartbeats: inside its write transaction the job is still alive
    assert jobs.client.get(status_url).json()["note"] == ""
    first.kill()  # its rows are inserted, its transaction not committed
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("running", 1)
    assert Compilation.objects.count() == 0 and Article.objects.count() == 0
    time.sleep(2)  # its heartbeat stops: the editor's page says so before the retry
    status = jobs.client.get(status_url).json()
    assert status["state"] == "running" and "中断了" in status["note"], status

    jobs.start()  # a new worker takes the job once its lock runs out
    status = wait_finished(jobs.client, job, jobs.workers)
    job.refresh_from_db()
    assert (status["state"], job.attempts) == ("done", 2), (status, job.traceback)
    compilation = Compilation.objects.get()
    assert compilation.articles.count() == 15
    assert compilation.articles.filter(status="published").count() == 15
    assert job.result["compilation"] == compilation.pk


def test_a_job_that_fails_twice_shows_its_error_and_writes_nothing(jobs):
    ticket = admin_import._stage(make_compilation_text(53, 10).encode(), "总是失败.txt")
    job = job_of(jobs.client.post(CONFIRM, {"ticket": ticket}))
    jobs.start(module="tests.jobs_worker", HUIBIAN_TEST_FAIL_IN_WRITE="1")
    status = wait_finished(jobs.client, job, jobs.workers)
    job.refresh_from_db()
    assert (status["state"], job.attempts) == ("failed", 2)
    assert "已重试一次仍未成功" in status["error"] and f"#{job.pk}" in status["error"]
    assert "made to fail by tests.jobs_worker" in job.traceback  # for operators
    assert Compilation.objects.count() == 0 and Article.objects.count() == 0

    page = jobs.client.get(reverse("admin:articles_compilation_import_job", args=[job.pk]))
    assert 'class="errornote"' in page.content.decode() and job.error in page.content.decode()
    listing = jobs.client.get(reverse("admin:articles_importjob_changelist"))
    assert listing.status_code == 200
    assert job.error in listing.content.decode() and "失败" in listing.content.decode()
    assert "made to fail" not in listing.content.decode()  # editors see no traceback


class ScheduleTests(TestCase):
    NAMES = frozenset({"huibian: 每夜检查搜索索引", "huibian: 清理过期的导入暂存文件"})

    def schedules(self):
        from django_q.models import Schedule

        return list(Schedule.objects.filter(name__startswith="huibian: ").order_by("name"))

    def test_schedules_exist_after_migrate_and_a_second_migrate_adds_none(self):
        first = self.schedules()
        self.assertEqual({s.name for s in first}, self.NAMES)  # no SITE_URL: no digest
        nightly = next(s for s in first if "搜索索引" in s.name)
        self.assertEqual((nightly.func, nightly.args, nightly.cron),
                         ("articles.jobs.tasks.run_command", "'check_search_index'", "0 3 * * *"))
        local = timezone.localtime(nightly.next_run)
        self.assertEqual((local.hour, local.minute, str(local.tzinfo)), (3, 0, "Asia/Shanghai"))
        call_command("migrate", verbosity=0, stdout=StringIO())
        again = self.schedules()
        self.assertEqual([(s.pk, s.next_run) for s in again],
                         [(s.pk, s.next_run) for s in first])

    def test_the_digest_is_scheduled_only_with_a_site_url(self):
        with override_settings(SITE_URL="https://lib.example.cn"):
            call_command("migrate", verbosity=0, stdout=StringIO())
            call_command("migrate", verbosity=0, stdout=StringIO())
        digest = [s for s in self.schedules() if s.name.endswith("每日关注摘要")]
        self.assertEqual(len(digest), 1)
        self.assertEqual(digest[0].args, "'send_digests', '--site-url=https://lib.example.cn'")
        call_command("migrate", verbosity=0, stdout=StringIO())
        self.assertEqual({s.name for s in self.schedules()}, self.NAMES)

    def test_scheduled_functions_run(self):
        from articles.jobs import tasks

        self.assertIn("搜索索引与文章一致", tasks.run_command("check_search_index"))
        self.assertIn("expired staged uploads", tasks.clear_expired_uploads())


class WithoutWorkerTests(ImportFlow, TestCase):
    """No worker runs here: small files import in the request as before, a large one waits
    in the queue and its page says that no worker has taken it."""

    def test_a_small_upload_is_previewed_and_imported_in_the_request(self):
        preview = upload(self.client, articles=8)
        self.assertContains(preview, "这是一份新汇编")
        confirmed = self.client.post(CONFIRM, form_data(preview, "import-confirm"))
        compilation = Compilation.objects.get()
        self.assertRedirects(confirmed, reverse("admin:articles_compilation_change",
                                                args=[compilation.pk]),
                             fetch_redirect_response=False)
        self.assertEqual(compilation.articles.count(), 8)
        self.assertFalse(ImportJob.objects.exists())

    def test_a_large_upload_waits_queued_and_says_no_worker_took_it(self):
        from django.conf import settings

        text = make_compilation_text(61, 40)
        while len(text.encode()) <= settings.HUIBIAN_IMPORT_JOB_BYTES:
            text += text
        response = self.client.post(UPLOAD, {"file": SimpleUploadedFile("大文件.txt",
                                                                        text.encode())})
        job = job_of(response)
        status_url = reverse("admin:articles_compilation_import_job_status", args=[job.pk])
        self.assertEqual(self.client.get(status_url).json()["note"], "")
        ImportJob.objects.filter(pk=job.pk).update(
            created_at=timezone.now() - timedelta(seconds=11))
        status = self.client.get(status_url).json()
        self.assertEqual((status["state"], status["finished"]), ("queued", False))
        self.assertIn("还没有后台任务进程接手", status["note"])
        self.assertContains(self.client.get(response["Location"]), "还没有后台任务进程接手")
        self.assertFalse(Compilation.objects.exists())

    def test_a_running_job_whose_heartbeat_stopped_is_said_to_be_cut_off(self):
        import tempfile

        with tempfile.TemporaryDirectory() as staging, \
                self.settings(HUIBIAN_IMPORT_STAGING=staging):
            self._heartbeat_notes()

    def _heartbeat_notes(self):
        from articles.jobs.tasks import heartbeat_path

        job = ImportJob.objects.create(kind=ImportJob.Kind.CONFIRM, ticket="t", filename="x.txt",
                                       state=ImportJob.State.RUNNING, attempts=1,
                                       started_at=timezone.now())
        status_url = reverse("admin:articles_compilation_import_job_status", args=[job.pk])
        self.assertEqual(self.client.get(status_url).json()["note"], "")  # just started
        ImportJob.objects.filter(pk=job.pk).update(
            started_at=timezone.now() - timedelta(seconds=60))
        self.assertIn("中断了", self.client.get(status_url).json()["note"])  # never beat
        beat = heartbeat_path(job.pk)
        beat.touch()
        try:
            self.assertEqual(self.client.get(status_url).json()["note"], "")  # beating
            old = time.time() - 31
            os.utime(beat, (old, old))
            self.assertIn("中断了", self.client.get(status_url).json()["note"])  # stopped
        finally:
            beat.unlink()

    def test_a_docx_counts_by_its_text_not_its_compressed_size(self):
        import io

        import docx
        from django.conf import settings

        text = make_compilation_text(67, 10)
        while len(text.encode()) <= settings.HUIBIAN_IMPORT_JOB_BYTES:
            text += text
        document = docx.Document()
        for line in text.split("\n"):
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        self.assertLess(len(buffer.getvalue()), settings.HUIBIAN_IMPORT_JOB_BYTES)
        response = self.client.post(UPLOAD, {"file": SimpleUploadedFile(
            "压缩的.docx", buffer.getvalue())})
        self.assertEqual(job_of(response).kind, "preview")

    def test_a_job_page_needs_the_import_permission(self):
        job = ImportJob.objects.create(kind="preview", ticket="t", filename="a.txt")
        self.client.force_login(make_user("职员丙", staff=True))
        for name in ("admin:articles_compilation_import_job",
                     "admin:articles_compilation_import_job_status"):
            self.assertEqual(self.client.get(reverse(name, args=[job.pk])).status_code, 403)


class JobPartsTests(TestCase):
    def test_the_importer_reports_its_progress(self):
        from articles.importer import parse_file, preview_import
        from articles.importer.parse import PROGRESS_EVERY

        heard = []
        text = make_compilation_text(71, PROGRESS_EVERY * 2 + 5)
        parsed = parse_file(text.encode(), filename="进度.txt",
                            progress=lambda stage, fraction: heard.append((stage, fraction)))
        preview_import(parsed, progress=lambda stage, fraction: heard.append((stage, fraction)))
        self.assertEqual([s for s, _f in heard],
                         ["read", "parse", "parse", "parse", "compare", "compare", "compare",
                          "compare"])
        fractions = [f for _s, f in heard]
        self.assertTrue(all(0 <= f <= 1 for f in fractions))

    def test_expired_previews_lose_their_data_hourly_but_stay_listed(self):
        from articles.jobs.tasks import clear_expired_uploads

        old = ImportJob.objects.create(kind="preview", ticket="t", filename="旧.txt",
                                       state="done", result={"rows_html": "x" * 1000})
        fresh = ImportJob.objects.create(kind="preview", ticket="t", filename="新.txt",
                                         state="done", result={"rows_html": "y"})
        ImportJob.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=2))
        with self.settings(HUIBIAN_IMPORT_STAGING=str(Path(self.tmp()))):
            clear_expired_uploads()
        old.refresh_from_db()
        fresh.refresh_from_db()
        self.assertIsNone(old.result)
        self.assertEqual(fresh.result, {"rows_html": "y"})
        editor = make_user("编辑丁", group="编辑", staff=True)
        self.client.force_login(editor)
        page = self.client.get(reverse("admin:articles_compilation_import_job", args=[old.pk]))
        self.assertContains(page, "预览已过期或无效", status_code=400)

    def tmp(self):
        import tempfile

        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return directory.name

    def test_settings_refuse_a_retry_not_longer_than_the_timeout(self):
        result = subprocess.run(
            [sys.executable, "-c", "import compilation.settings"], check=False, cwd=ROOT,
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "IMPORT_JOBS_TIMEOUT": "600", "IMPORT_JOBS_RETRY": "600"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("IMPORT_JOBS_RETRY (600) must be greater than IMPORT_JOBS_TIMEOUT",
                      result.stderr)
