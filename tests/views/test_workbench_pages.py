"""The workbench's pages as the server renders them (the scripts that make their controls work
are tested in tests/browser/test_workbench_flow.py), and the hooks those scripts find on the
reader pages: the CSRF token and API addresses for a signed-in reader, the article's source
line, the cards' article ids, 关注 and the export of a search."""
from urllib.parse import urlencode

from django.contrib.auth.models import Group
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.workbench import services
from articles.workbench.access import WITHHELD_NOTICE
from articles.workbench.sources import article_source_line
from tests.exports.utils import SECRET, make_members_article
from tests.factories import make_agency, make_article, make_compilation, make_user


def fill(reader, articles, n, follows=2):
    """A workbench of ``n`` folders and drafts, holding ``articles`` and a clip of each, and
    ``follows`` follows."""
    for i in range(follows):
        services.follow_create(owner=reader, params={"q": f"清廉 {i}"})
    for i in range(n):
        folder = services.folder_create(owner=reader, name=f"收藏夹{i}")
        draft = services.draft_create(owner=reader, title=f"组稿{i}")
        services.draft_add_item(draft=draft, owner=reader, heading=f"{i}、小标题")
        for article in articles:
            services.folder_add_article(folder=folder, user=reader, article_id=article.pk)
            clip = services.clip_create(owner=reader, article_id=article.pk, paragraph=2,
                                        tags=f"标签{i}")
            services.draft_add_item(draft=draft, owner=reader, clip_id=clip.pk)
    return folder, draft


class WorkbenchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.agency = make_agency(name="市审计局")
        cls.compilation = make_compilation(title="关于清廉机关建设材料汇编")
        cls.articles = [
            make_article(compilation=cls.compilation, agency=cls.agency,
                         title=f"市审计局推进清廉机关建设{i}", themes=["清廉机关"],
                         initiatives=["四点聚力"])
            for i in range(3)
        ]
        cls.reader = make_user("读者小赵")
        cls.folder, cls.draft = fill(cls.reader, cls.articles, 2)

    def setUp(self):
        self.client.force_login(self.reader)

    def test_signed_in_pages_carry_the_csrf_token_and_the_api_addresses(self):
        response = self.client.get(reverse("articles:home"))
        self.assertContains(response, '<meta name="csrf-token" content="')
        self.assertContains(response, 'data-signed-in')
        self.assertContains(response, 'data-api-folders="/api/folders/"')
        self.assertContains(response, f'<a href="{reverse("articles:workbench")}">我的工作台</a>')
        self.assertContains(response, "修改密码")
        self.assertContains(response, f'src="{reverse("javascript_catalog")}" defer')
        self.assertContains(response, "js/workbench.js\" defer")

    def test_anonymous_pages_have_neither(self):
        self.client.logout()
        response = self.client.get(reverse("articles:home"))
        self.assertNotContains(response, "csrf-token")
        self.assertNotContains(response, "data-signed-in")
        self.assertNotContains(response, "我的工作台")
        self.assertContains(response, "data-wb-status")  # 复制（带出处） reports for everyone

    def test_article_page_names_its_article_and_source_line(self):
        article = self.articles[0]
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, f'data-article="{article.pk}" data-source-line='
                                      f'"{article_source_line(article)}"')
        self.assertContains(response, 'id="p2" data-block="2"')

    def test_search_page_offers_follow_and_exports_with_the_query(self):
        response = self.client.get(reverse("articles:search"),
                                   {"q": "清廉", "theme": "清廉机关", "page": "1"})
        self.assertContains(response, "data-follow-search")
        self.assertContains(response, f'data-article="{self.articles[0].pk}"')
        self.assertContains(
            response, '<a href="/api/search/export.docx?q=%E6%B8%85%E5%BB%89&amp;theme='
                      '%E6%B8%85%E5%BB%89%E6%9C%BA%E5%85%B3" data-download')
        self.client.logout()
        response = self.client.get(reverse("articles:search"), {"q": "清廉"})
        self.assertNotContains(response, "data-follow-search")
        self.assertNotContains(response, "/api/search/export")

    def test_agency_theme_and_initiative_pages_offer_follow(self):
        for url, kind, value in (
            (self.agency.get_absolute_url(), "agency", self.agency.pk),
            (reverse("articles:theme", args=["清廉机关"]), "theme", "清廉机关"),
            (reverse("articles:initiative", args=["四点聚力"]), "initiative", "四点聚力"),
        ):
            with self.subTest(kind):
                self.assertContains(self.client.get(url),
                                    f'data-follow-kind="{kind}" data-follow-value="{value}"')

    def test_overview_lists_folders_drafts_clips_and_follows(self):
        response = self.client.get(reverse("articles:workbench"))
        self.assertContains(response, "收藏夹1</a>")
        self.assertContains(response, "3 篇")
        self.assertContains(response, "组稿1</a>")
        self.assertContains(response, "4 项")
        self.assertContains(response, "全部摘抄")
        follow = self.reader.follows.first()
        self.assertContains(
            response, f'value="http://testserver{reverse("articles:follow_feed", args=[follow.token])}"')

    def test_folder_page_lists_its_articles_with_exports(self):
        response = self.client.get(reverse("articles:workbench_folder", args=[self.folder.pk]))
        for article in self.articles:
            self.assertContains(response, f'data-folder-article="{article.pk}"')
        self.assertContains(response, f'href="/api/folders/{self.folder.pk}/export.docx" data-download')
        self.assertContains(response, f'data-export-selected="/api/folders/{self.folder.pk}/export.txt"')

    def test_clips_link_to_their_paragraph_and_filter_by_source(self):
        article = self.articles[0]
        response = self.client.get(reverse("articles:workbench_clips"),
                                   {"article": article.pk})
        self.assertEqual(len(response.context["clips"]), 2)
        self.assertContains(response, f'href="{article.get_absolute_url()}#p2"', count=2)
        self.assertContains(response, f'<option value="{article.pk}" selected>')
        self.assertContains(response, f"{self.agency.name}（6）")
        tag = urlencode({"article": article.pk, "tag": "标签0"}).replace("&", "&amp;")
        self.assertContains(response, f'<a class="tag" href="?{tag}">标签0</a>')

    def test_draft_page_shows_the_outline_in_order_with_templates_for_new_items(self):
        response = self.client.get(reverse("articles:workbench_draft", args=[self.draft.pk]))
        items = response.context["items"]
        self.assertEqual([item.kind for item in items], ["heading", "clip", "clip", "clip"])
        content = response.content.decode()
        self.assertLess(content.index("1、小标题"), content.index(items[1].source))
        for kind in ("heading", "text", "clip"):
            self.assertIn(f'<template data-item-template="{kind}">', content)
        self.assertContains(response, "下载 Word（出处为脚注）")

    def test_clip_of_a_changed_article_says_so(self):
        article = self.articles[1]
        article.original_text += "\n新增的一段。"
        article.save()
        response = self.client.get(reverse("articles:workbench_clips"), {"article": article.pk})
        self.assertContains(response, "原文已修改", count=2)

    def test_names_are_escaped(self):
        folder = services.folder_create(owner=self.reader, name="<script>alert(1)</script>")
        response = self.client.get(reverse("articles:workbench_folder", args=[folder.pk]))
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(response, "<script>alert(1)")

    def test_pages_take_constant_queries(self):
        """Whatever the number of folders, clips, drafts and items. (The overview also counts
        each follow's new articles, one query per follow, up to ``MAX_FOLLOWS``: both
        workbenches here have two.)"""
        larger = make_user("读者小钱")
        more = self.articles + [make_article(compilation=self.compilation, agency=make_agency())
                                for _ in range(3)]
        big_folder, big_draft = fill(larger, more, 5)
        pages = {
            "workbench": ([], []), "workbench_clips": ([], []),
            "workbench_folder": ([self.folder.pk], [big_folder.pk]),
            "workbench_draft": ([self.draft.pk], [big_draft.pk]),
        }
        for name, (small_args, large_args) in pages.items():
            with self.subTest(name):
                self.client.force_login(self.reader)
                with CaptureQueriesContext(connection) as small:
                    self.assertEqual(self.client.get(reverse(f"articles:{name}", args=small_args))
                                     .status_code, 200)
                self.client.force_login(larger)
                with self.assertNumQueries(len(small)):
                    self.client.get(reverse(f"articles:{name}", args=large_args))


class WithheldClipTests(TestCase):
    def test_a_former_member_keeps_the_source_not_the_text(self):
        article = make_members_article(compilation=make_compilation())
        reader = make_user("会员小孙", group="会员")
        services.clip_create(owner=reader, article_id=article.pk, paragraph=3)
        reader.groups.remove(Group.objects.get(name="会员"))
        self.client.force_login(reader)
        response = self.client.get(reverse("articles:workbench_clips"))
        self.assertContains(response, str(WITHHELD_NOTICE))
        self.assertContains(response, "会员内容")
        self.assertContains(response, article_source_line(article))
        self.assertNotContains(response, SECRET)
        self.assertNotContains(response, "data-copy")


def test_the_script_catalog_every_page_loads_is_cached_by_browsers(client, db):
    """/jsi18n/ is requested by every page: browsers keep it a day, not refetch it per page."""
    response = client.get("/jsi18n/")
    assert response.status_code == 200
    assert "max-age=86400" in response["Cache-Control"]
    assert "gettext" in response.content.decode()
