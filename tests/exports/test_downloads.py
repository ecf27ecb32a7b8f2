"""Download routes: formats, RFC 6266 file names, drafts, and members-only text by user."""
from urllib.parse import quote, unquote
from xml.etree import ElementTree

from django.test import TestCase
from django.urls import reverse

from tests.factories import make_article, make_compilation, make_user

from .utils import SECRET, docx_xml, make_library, make_public_article


def download(pk, fmt):
    return reverse("articles:download", args=[pk, fmt])


def compilation_download(pk, fmt):
    return reverse("articles:compilation_download", args=[pk, fmt])


class ArticleDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation, cls.public, cls.members, cls.draft = make_library()
        cls.member = make_user("会员乙", group="会员")
        cls.reader = make_user("读者丙")
        cls.editor = make_user("编辑丁", group="编辑", staff=True)

    def test_docx_and_txt_come_as_attachments_with_chinese_file_names(self):
        for fmt, content_type in (
            ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("txt", "text/plain; charset=utf-8"),
        ):
            response = self.client.get(download(self.public.pk, fmt))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Content-Type"], content_type)
            name = f"县交通运输局：以党建引领打造“XX交通”品牌.{fmt}"
            self.assertEqual(
                response["Content-Disposition"],
                f"attachment; filename=\"article-{self.public.pk}.{fmt}\"; "
                f"filename*=UTF-8''{quote(name, safe='')}",
            )
            self.assertIn("private", response["Cache-Control"])

    def test_article_download_costs_one_query(self):
        with self.assertNumQueries(2):  # the library state, the article
            self.client.get(download(self.public.pk, "docx"))

    def test_file_name_drops_characters_file_systems_refuse(self):
        article = make_public_article(title="关于“三化”/“五型”：是否可行？<试点>")
        header = self.client.get(download(article.pk, "txt"))["Content-Disposition"]
        encoded = header.split("filename*=UTF-8''")[1]
        self.assertEqual(unquote(encoded), "关于“三化”“五型”：是否可行？试点.txt")
        self.assertTrue(header.isascii())

    def test_unknown_format_and_missing_article_are_404(self):
        for url in (download(self.public.pk, "pdf"), download(self.public.pk, "DOCX"),
                    download(999999, "docx"), f"/articles/{self.public.pk}/download.",
                    compilation_download(self.compilation.pk, "exe"),
                    compilation_download(999999, "txt"),
                    "/articles/99999999999999999999999/download.docx",
                    "/compilations/99999999999999999999/download.txt",
                    f"/articles/{self.public.pk}/download.%E4%B8%AD"):
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_draft_is_404_for_everyone_but_editors(self):
        url = download(self.draft.pk, "docx")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.member)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_article_of_a_draft_compilation_is_404_for_readers(self):
        hidden = make_compilation(title="未发布的汇编", status="draft")
        article = make_public_article(compilation=hidden, position=1)
        self.assertEqual(self.client.get(download(article.pk, "txt")).status_code, 404)
        self.assertEqual(self.client.get(compilation_download(hidden.pk, "txt")).status_code, 404)

    def test_anonymous_reader_is_sent_to_login_for_members_only_article(self):
        for fmt in ("docx", "txt"):
            url = download(self.members.pk, fmt)
            response = self.client.get(url)
            self.assertRedirects(
                response, f"{reverse('login')}?next={quote(url)}", fetch_redirect_response=False
            )
            self.assertNotIn(SECRET.encode(), response.content)

    def test_signed_in_non_member_gets_a_chinese_403(self):
        self.client.force_login(self.reader)
        response = self.client.get(download(self.members.pk, "txt"))
        self.assertContains(response, "无权访问", status_code=403)
        self.assertContains(response, "您的账号不是会员，不能下载全文", status_code=403)
        self.assertNotIn(SECRET, response.content.decode())

    def test_member_and_editor_download_the_full_text(self):
        for user in (self.member, self.editor):
            self.client.force_login(user)
            docx_data = self.client.get(download(self.members.pk, "docx")).content
            self.assertIn(SECRET, docx_xml(docx_data))
            txt = self.client.get(download(self.members.pk, "txt")).content.decode("utf-8-sig")
            self.assertIn(SECRET, txt)


class CompilationDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation, cls.public, cls.members, cls.draft = make_library()
        cls.member = make_user("会员戊", group="会员")
        cls.editor = make_user("编辑己", group="编辑", staff=True)

    def test_anonymous_reader_gets_public_articles_in_full_and_members_only_as_teaser(self):
        for fmt in ("docx", "txt"):
            response = self.client.get(compilation_download(self.compilation.pk, fmt))
            self.assertEqual(response.status_code, 200)
            text = docx_xml(response.content) if fmt == "docx" else response.content.decode()
            self.assertIn("推行“马上办、网上办、就近办”，压缩审批时限百分之四十。", text)
            self.assertIn("市审计局“四个着力”推进清廉机关建设", text)
            self.assertIn("本文仅对会员开放", text)
            self.assertNotIn(SECRET, text)
            self.assertNotIn("草稿：尚未审定的经验材料", text)
            self.assertIn("filename*=UTF-8''", response["Content-Disposition"])

    def test_member_gets_everything_published_and_editor_the_drafts_too(self):
        self.client.force_login(self.member)
        text = self.client.get(compilation_download(self.compilation.pk, "txt")).content.decode()
        self.assertIn(SECRET, text)
        self.assertNotIn("草稿：尚未审定的经验材料", text)
        self.client.force_login(self.editor)
        text = self.client.get(compilation_download(self.compilation.pk, "txt")).content.decode()
        self.assertIn("草稿：尚未审定的经验材料", text)

    def test_query_count_does_not_grow_with_the_number_of_articles(self):
        url = compilation_download(self.compilation.pk, "docx")
        with self.assertNumQueries(3):  # the library state, the compilation, its articles
            self.client.get(url)
        for position in range(4, 9):
            make_article(compilation=self.compilation, position=position)
        with self.assertNumQueries(3):
            self.client.get(url)


class ControlCharacterTests(TestCase):
    """Text pasted from Word can hold control characters XML forbids; exports drop them."""

    def test_docx_txt_and_feed_survive_control_characters(self):
        article = make_public_article(
            title="县交通运输局\x0b工作总结",
            sections=[{"heading": "一、总体\x07情况", "paragraphs": ["第一段\x0b第二行\x01。"]}],
            original_text="一、总体\x07情况\n第一段\x0b第二行\x01。",
        )
        docx_data = self.client.get(download(article.pk, "docx"))
        self.assertEqual(docx_data.status_code, 200)
        self.assertIn("第一段第二行。", docx_xml(docx_data.content))
        txt = self.client.get(download(article.pk, "txt")).content.decode("utf-8-sig")
        self.assertIn("一、总体情况", txt)
        feed = self.client.get(reverse("articles:feed"))
        ElementTree.fromstring(feed.content)  # well-formed XML
        self.assertContains(feed, "县交通运输局工作总结")
