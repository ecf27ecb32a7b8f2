"""The article page: restored text with the original one switch away, marked placeholders,
outline, neighbours, related articles, highlighting, escaping, drafts."""
from django.test import TestCase
from django.urls import reverse

from articles.models import Status
from tests.factories import make_agency, make_article, make_compilation, make_user

from .data import make_rich_article


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.agency = make_agency(name="市审计局", level="市", sector="审计", region="都匀市")
        cls.compilation = make_compilation(title="关于模范机关建设材料汇编（4篇）")
        cls.first = make_article(compilation=cls.compilation, position=1, title="第一篇：四项举措")
        cls.draft = make_article(
            compilation=cls.compilation, position=2, title="未发布的草稿", status=Status.DRAFT
        )
        cls.article = make_rich_article(
            compilation=cls.compilation, position=3, agency=cls.agency,
            themes=["党建", "作风建设"], initiatives=["四点聚力"],
        )
        cls.last = make_article(compilation=cls.compilation, position=4, title="第四篇：三个强化")
        cls.sibling = make_article(
            title="县委组织部“四点聚力”推进模范机关建设", initiatives=["四点聚力"]
        )
        cls.stranger = make_article(title="毫不相干的一篇", themes=["志愿服务"])
        cls.url = cls.article.get_absolute_url()

    def test_restored_text_is_shown_and_original_is_one_switch_away(self):
        response = self.client.get(self.url)
        self.assertContains(response, "以主题教育推动机关党建提质增效</h1>")
        self.assertContains(response, "局党组把全面从严治党作为政治担当")
        self.assertContains(response, "局D组把全面从严治D作为政治担当")  # original block, hidden
        self.assertContains(response, 'data-text="original" hidden')
        self.assertContains(response, 'href="?text=original"')

        original = self.client.get(self.url + "?text=original")
        self.assertContains(original, 'data-text="restored" hidden')
        self.assertNotContains(original, 'data-text="original" hidden')

    def test_placeholders_are_visibly_marked(self):
        response = self.client.get(self.url)
        content = response.content.decode()
        self.assertRegex(content, r'<mark class="placeholder"[^>]*>XX</mark>市审计局')
        self.assertRegex(content, r'依托<mark class="placeholder"[^>]*>AAA</mark>公众号')

    def test_outline_links_to_section_anchors(self):
        content = self.client.get(self.url).content.decode()
        self.assertIn('<a href="#s2">一、压实责任，健全机制</a>', content)
        self.assertIn('<section id="s2">', content)
        self.assertIn('<a href="#s3">二、以主题教育为契机，锤炼作风</a>', content)

    def test_metadata_links_to_agency_compilation_themes_initiatives_and_downloads(self):
        response = self.client.get(self.url)
        for url in (
            self.agency.get_absolute_url(), self.compilation.get_absolute_url(),
            reverse("articles:theme", args=["党建"]), reverse("articles:initiative", args=["四点聚力"]),
            reverse("articles:download", args=[self.article.pk, "docx"]),
            reverse("articles:download", args=[self.article.pk, "txt"]),
        ):
            self.assertContains(response, f'href="{url}"')
        self.assertContains(response, "市级")
        self.assertContains(response, "第 3 篇")

    def test_previous_and_next_skip_drafts_for_readers(self):
        response = self.client.get(self.url)
        self.assertEqual(response.context["previous"], self.first)
        self.assertEqual(response.context["next"], self.last)
        self.assertNotContains(response, "未发布的草稿")

    def test_editor_sees_the_draft_as_previous(self):
        self.client.force_login(make_user("编辑老王", group="编辑", staff=True))
        self.assertEqual(self.client.get(self.url).context["previous"], self.draft)

    def test_related_articles_share_an_initiative_or_agency(self):
        related = self.client.get(self.url).context["related"]
        self.assertIn(self.sibling, related)
        self.assertNotIn(self.stranger, related)
        self.assertNotIn(self.article, related)

    def test_copy_button_carries_the_source_line(self):
        self.assertContains(
            self.client.get(self.url),
            'data-source="来源：市审计局《市审计局：以主题教育推动机关党建提质增效》，'
            '载《关于模范机关建设材料汇编（4篇）》"',
        )

    def test_terms_from_search_are_highlighted(self):
        response = self.client.get(self.url + "?hl=党建")
        self.assertContains(response, '<mark class="hl">党建</mark>')
        self.assertNotContains(self.client.get(self.url), 'class="hl"')

    def test_script_in_title_and_text_is_escaped(self):
        evil = make_article(
            title="<script>alert('标题')</script>", original_text="正文<script>alert(1)</script>",
            sections=[{"heading": "<b>小标题</b>", "paragraphs": ["正文<script>alert(1)</script>"]}],
        )
        content = self.client.get(evil.get_absolute_url() + '?hl="><script>').content.decode()
        self.assertNotIn("<script>alert", content)
        self.assertNotIn("<b>小标题", content)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", content)

    def test_drafts_are_invisible_except_to_editors(self):
        url = self.draft.get_absolute_url()
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(make_user("会员小张", group="会员"))
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(make_user("编辑小赵", group="编辑", staff=True))
        self.assertContains(self.client.get(url), "草稿：只有编辑能看到本文")

    def test_article_in_a_draft_compilation_is_hidden(self):
        hidden = make_article(compilation=make_compilation(status=Status.DRAFT))
        self.assertEqual(self.client.get(hidden.get_absolute_url()).status_code, 404)

    def test_unknown_article_is_a_chinese_404(self):
        response = self.client.get(reverse("articles:detail", args=[99999999]))
        self.assertContains(response, "页面不存在", status_code=404)
