"""The admin import flow over real HTTP: upload → preview (nothing written) → confirm."""
import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from articles.models import Agency, Article, Compilation, Status
from tests.factories import make_user

from .helpers import STYLES, ImportFlow, make_docx


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


@override_settings(ROOT_URLCONF="tests.importer.admin_urls")
class PreviewRegionsAndNotesTests(ImportFlow, TestCase):
    """The preview shows each agency's region and the lines the parser set aside; the editor
    changes a region by typing a place; a name that is no place refuses the whole import."""

    DOCUMENT = Path(__file__).resolve().parent.parent / "fixtures" / "importer_regions.txt"

    def test_regions_and_notes_are_shown_beside_their_articles(self):
        response = self.upload(self.DOCUMENT.read_bytes(), "regions.txt")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('name="region_1" value="贵州省 › 黔南州 › 都匀市"', html)
        self.assertIn('name="region_3" value=""', html)  # XX县委组织部: no place guessed
        # The advertising footer at the end of the last article, with its line number.
        last = re.search(r'<ul class="import-notes" data-notes="5">(.*?)</ul>', html, re.S).group(1)
        self.assertIn("已删除广告或联系方式：——本材料由某某资料网整理", last)
        self.assertRegex(last, r"第 \d+ 行")

    def test_notes_of_a_document_whose_toc_and_body_disagree(self):
        text = STYLES.read_text(encoding="utf-8")
        response = self.upload(text.encode("utf-8"), "styles.txt")
        html = response.content.decode()
        self.assertIn('data-notes="before"', html)
        self.assertIn("标题声明 5 篇，正文实有 4 篇", html)

    def test_an_edited_region_is_what_is_written(self):
        from tests.formdata import form_data

        data = form_data(self.upload(self.DOCUMENT.read_bytes(), "regions.txt"), "import-confirm")
        data.update({"region_1": "福泉市", "region_3": "三都县", "region_0": ""})
        self.assertEqual(self.client.post(self.confirm_url, data).status_code, 302)
        audit = Agency.objects.get(name="市审计局")
        self.assertEqual(audit.region.name, "福泉市")
        self.assertEqual(Agency.objects.get(name="县委组织部").region.name, "三都水族自治县")
        self.assertIsNone(Agency.objects.get(name="黔南州交通运输局").region)

    def test_a_region_that_is_no_place_refuses_the_import_and_writes_nothing(self):
        from tests.formdata import form_data

        data = form_data(self.upload(self.DOCUMENT.read_bytes(), "regions.txt"), "import-confirm")
        data["region_2"] = "火星基地"
        response = self.client.post(self.confirm_url, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "“火星基地”不是可识别的地区名称", status_code=400)
        self.assertEqual(Compilation.objects.count(), 0)
        self.assertEqual(Agency.objects.count(), 0)

    def test_pdf_and_doc_uploads_are_previewed(self):
        import shutil

        for suffix in ("pdf", "doc"):
            if suffix == "doc" and shutil.which("antiword") is None:
                continue
            with self.subTest(suffix=suffix):
                data = self.DOCUMENT.with_suffix(f".{suffix}").read_bytes()
                response = self.upload(data, f"regions.{suffix}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "三都水族自治县民政局“马上就办”提升为民服务质效")
                self.assertContains(response, 'value="贵州省 › 黔南州 › 三都县"')
