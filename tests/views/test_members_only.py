"""Members-only text reaches members and editors, never anonymous readers, on any reader page."""
from django.test import TestCase
from django.urls import reverse

from articles.permissions import can_read_full, teaser
from tests.factories import make_agency, make_compilation, make_user

from .data import MEMBERS_PARAS, SECRET, make_members_article


class MembersOnlyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.agency = make_agency(name="市民政局", sector="民政")
        cls.compilation = make_compilation(title="民政系统模范机关建设材料汇编（1篇）")
        cls.article = make_members_article(
            compilation=cls.compilation, agency=cls.agency, themes=["党建"], initiatives=["四点聚力"]
        )
        cls.url = cls.article.get_absolute_url()
        cls.member = make_user("会员小李", group="会员")
        cls.editor = make_user("编辑老陈", group="编辑", staff=True)
        cls.reader = make_user("普通用户")

    def test_anonymous_reader_gets_title_metadata_teaser_and_login_link(self):
        response = self.client.get(self.url)
        self.assertContains(response, "市民政局“四点聚力”推动模范机关建设")
        self.assertContains(response, MEMBERS_PARAS[0][:100])
        self.assertContains(response, reverse("login") + "?next=")
        self.assertNotContains(response, SECRET)
        self.assertNotContains(response, "秘而不宣的小标题")
        self.assertNotContains(response, MEMBERS_PARAS[1][-30:])
        self.assertNotContains(response, "data-copy-article")

    def test_logged_in_non_member_is_treated_like_anonymous(self):
        self.client.force_login(self.reader)
        self.assertNotContains(self.client.get(self.url), SECRET)

    def test_members_and_editors_read_everything(self):
        for user in (self.member, self.editor):
            self.client.force_login(user)
            response = self.client.get(self.url)
            self.assertContains(response, SECRET)
            self.assertContains(response, "秘而不宣的小标题")

    def test_no_reader_page_leaks_the_text_to_anonymous_readers(self):
        urls = [
            reverse("articles:home"), reverse("articles:list"),
            reverse("articles:list") + "?theme=党建", self.compilation.get_absolute_url(),
            reverse("articles:compilation_list"), self.agency.get_absolute_url(),
            reverse("articles:theme", args=["党建"]), reverse("articles:initiative", args=["四点聚力"]),
            reverse("articles:search") + "?q=养老服务补贴", reverse("articles:search") + "?q=秘而不宣",
            self.url + "?text=original", self.url + "?hl=养老服务补贴",
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                content = response.content.decode()
                self.assertNotIn(SECRET, content)
                self.assertNotIn("养老服务补贴节约", content)
                self.assertNotIn("秘而不宣的小标题", content)

    def test_search_matches_and_shows_only_the_free_preview_to_non_members(self):
        url = reverse("articles:search")
        response = self.client.get(url, {"q": "专题研讨"})  # inside the free preview
        self.assertEqual(list(response.context["page_obj"]), [self.article])
        (snippet,) = response.context["snippets"][self.article.pk]
        shown = snippet.replace("<mark>", "").replace("</mark>", "").strip("…")
        self.assertIn(shown, teaser(self.article.text))
        self.assertContains(response, "<mark>专题研讨</mark>")
        # Past the preview, in a heading or the body, nothing matches for a non-member: no
        # result, no count, no facet; a member finds it.
        for q in ("养老服务补贴", "秘而不宣", "急难愁盼", '"秘而不宣的小标题"'):
            for user in (None, self.reader):
                with self.subTest(q=q, user=user):
                    if user:
                        self.client.force_login(user)
                    response = self.client.get(url, {"q": q})
                    self.assertEqual(response.context["total"], 0)
                    self.assertNotContains(response, self.article.get_absolute_url())
                    self.client.logout()
            self.client.force_login(self.member)
            response = self.client.get(url, {"q": q})
            self.assertEqual(list(response.context["page_obj"]), [self.article], q)
            self.client.logout()

    def test_can_read_full_and_teaser(self):
        self.assertTrue(can_read_full(self.member, self.article))
        self.assertTrue(can_read_full(self.editor, self.article))
        self.assertFalse(can_read_full(self.reader, self.article))
        self.article.members_only = False
        self.assertTrue(can_read_full(self.reader, self.article))
        self.assertEqual(teaser("党" * 200), "党" * 150 + "…")
        self.assertEqual(teaser("短文"), "短文")
