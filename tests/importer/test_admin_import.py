"""The admin import flow over real HTTP: upload → preview (nothing written) → confirm."""
import re
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from articles.models import Agency, Article, Compilation, Status
from tests.factories import make_user

from .helpers import STYLES, make_docx


class ImportFlow:
    """An editor logged in, uploads staged in a temporary directory."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("编辑乙", group="编辑", staff=True)

    def setUp(self):
        staging = tempfile.TemporaryDirectory()
        self.addCleanup(staging.cleanup)
        override = self.settings(HUIBIAN_IMPORT_STAGING=staging.name)
        override.enable()
        self.addCleanup(override.disable)
        self.client.force_login(self.editor)
        self.upload_url = reverse("admin:articles_compilation_import")
        self.confirm_url = reverse("admin:articles_compilation_import_confirm")

    def upload(self, data, name):
        return self.client.post(self.upload_url, {"file": SimpleUploadedFile(name, data)})


@override_settings(ROOT_URLCONF="tests.importer.admin_urls")
class AdminImportTests(ImportFlow, TestCase):
    def test_upload_form_is_shown(self):
        response = self.client.get(self.upload_url)
        self.assertContains(response, "上传并预览")

    def test_preview_shows_articles_agencies_tags_and_warnings_and_writes_nothing(self):
        response = self.upload(STYLES.read_bytes().decode().encode("gbk"), "作风建设.txt")
        self.assertEqual(response.status_code, 200)
        for text in ("市财政局：“三个聚焦”推动预算绩效管理提质增效", "州生态环境局", "三个聚焦",
                     "标题声明 5 篇，正文实有 4 篇", "这是一份新汇编", "仅会员可读", "一岗双责"):
            self.assertContains(response, text)
        self.assertContains(response, '<mark class="placeholder"', html=False)
        self.assertEqual(Compilation.objects.count(), 0)
        self.assertEqual(Agency.objects.count(), 0)

    def test_confirm_imports_and_redirects_to_the_compilation(self):
        preview = self.upload(STYLES.read_bytes(), "作风建设.txt")
        ticket = re.search(r'name="ticket" value="([^"]+)"', preview.content.decode()).group(1)
        response = self.client.post(self.confirm_url, {"ticket": ticket, "publish": "1"})
        compilation = Compilation.objects.get()
        self.assertRedirects(response, reverse("admin:articles_compilation_change", args=[compilation.pk]),
                             fetch_redirect_response=False)
        self.assertEqual(compilation.status, Status.PUBLISHED)
        self.assertEqual(Article.objects.filter(compilation=compilation).count(), 4)
        self.assertEqual(Article.objects.first().history.first().history_user, self.editor)
        # The staged upload is gone: confirming twice does not import twice.
        again = self.client.post(self.confirm_url, {"ticket": ticket})
        self.assertContains(again, "预览已过期或无效", status_code=400)
        self.assertEqual(Compilation.objects.count(), 1)

    def test_second_upload_of_the_same_file_is_previewed_as_unchanged(self):
        preview = self.upload(STYLES.read_bytes(), "a.txt")
        ticket = re.search(r'name="ticket" value="([^"]+)"', preview.content.decode()).group(1)
        self.client.post(self.confirm_url, {"ticket": ticket})
        page = self.upload(STYLES.read_bytes(), "a.txt")
        self.assertContains(page, "与已导入的内容相同，确认后不会有任何改动")

    def test_docx_upload_is_previewed(self):
        response = self.upload(make_docx(), "减负.docx")
        self.assertContains(response, "市信访局：“三个到位”化解信访积案")

    def test_refused_file_shows_the_chinese_message_and_writes_nothing(self):
        cases = [(b"", "empty.txt", "文件是空的"), (make_docx()[:1500], "cut.docx", "已损坏"),
                 (bytes(range(256)) * 8, "x.bin", "二进制")]
        for data, name, fragment in cases:
            with self.subTest(name=name):
                response = self.upload(data, name)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, fragment, status_code=400)
                self.assertNotContains(response, "Traceback", status_code=400)
        self.assertEqual(Compilation.objects.count(), 0)

    def test_forged_ticket_is_refused(self):
        response = self.client.post(self.confirm_url, {"ticket": "伪造的票据"})
        self.assertContains(response, "预览已过期或无效", status_code=400)

    def test_staff_without_permission_cannot_import(self):
        self.client.force_login(make_user("访客", staff=True))
        self.assertEqual(self.client.get(self.upload_url).status_code, 403)
        self.assertEqual(self.upload(STYLES.read_bytes(), "a.txt").status_code, 403)


class WiredAdminImportTests(TestCase):
    """The same flow through the project's own admin, where CompilationAdmin hooks it."""

    def test_changelist_button_upload_preview_and_confirm(self):
        self.client.force_login(make_user("编辑丙", group="编辑", staff=True))
        changelist = self.client.get(reverse("admin:articles_compilation_changelist"))
        upload_url = reverse("admin:articles_compilation_import")
        self.assertContains(changelist, upload_url)
        preview = self.client.post(upload_url, {"file": SimpleUploadedFile("a.txt", STYLES.read_bytes())})
        self.assertContains(preview, "确认导入")
        ticket = re.search(r'name="ticket" value="([^"]+)"', preview.content.decode()).group(1)
        response = self.client.post(reverse("admin:articles_compilation_import_confirm"), {"ticket": ticket})
        compilation = Compilation.objects.get()
        self.assertRedirects(response, reverse("admin:articles_compilation_change", args=[compilation.pk]))
        self.assertEqual(compilation.articles.count(), 4)


class StagingTests(TestCase):
    def test_abandoned_uploads_older_than_a_day_are_removed(self):
        import os
        import tempfile
        import time

        from articles import admin_import

        with tempfile.TemporaryDirectory() as directory, self.settings(HUIBIAN_IMPORT_STAGING=directory):
            old = Path(directory) / ("a" * 32)
            old.write_bytes(b"x")
            os.utime(old, (time.time() - 2 * 86400,) * 2)
            ticket = admin_import._stage(b"data", "a.txt")
            self.assertFalse(old.exists())
            data, filename, _path = admin_import._unstage(ticket)
            self.assertEqual((data, filename), (b"data", "a.txt"))


@override_settings(ROOT_URLCONF="tests.importer.admin_urls")
class EditablePreviewTests(ImportFlow, TestCase):
    """The preview's per-article fields are what the confirm writes."""

    def test_the_confirm_writes_exactly_what_the_edited_preview_shows(self):
        from articles.models import Theme
        from tests.formdata import form_data

        data = form_data(self.upload(STYLES.read_bytes(), "styles.txt"), "import-confirm")
        self.assertEqual(data["agency_0"], "市财政局")
        self.assertEqual(data["initiatives_0"], "三个聚焦")
        data.update({
            "agency_0": "省财政厅", "themes_1": "党建、基层减负", "initiatives_2": "",
            "members_only": ["0"], "drop": ["3"],
        })
        response = self.client.post(self.confirm_url, data)
        self.assertEqual(response.status_code, 302)
        articles = list(Article.objects.order_by("position"))
        self.assertEqual(len(articles), 3)  # the fourth was not imported
        first, second, third = articles
        self.assertEqual((first.agency.name, first.members_only), ("省财政厅", True))
        self.assertEqual(sorted(second.themes.names()), ["党建", "基层减负"])
        self.assertEqual(second.theme_names, "党建、基层减负")
        self.assertEqual(list(third.initiatives.names()), [])
        self.assertFalse(third.members_only)  # it was members-only in the file; unticked
        self.assertTrue(Theme.objects.filter(name="基层减负").exists())
