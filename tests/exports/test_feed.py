"""The Atom feed: newly published articles, teasers only, never drafts."""
from xml.etree import ElementTree

from django.test import TestCase
from django.urls import reverse

from tests.factories import make_article, make_compilation

from .utils import SECRET, make_library

ATOM = "{http://www.w3.org/2005/Atom}"


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation, cls.public, cls.members, cls.draft = make_library()
        hidden = make_compilation(title="尚未发布的汇编", status="draft")
        cls.in_draft_compilation = make_article(
            compilation=hidden, title="未发布汇编中的文章", themes=["作风建设"]
        )

    def entries(self):
        response = self.client.get(reverse("articles:feed"))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
        root = ElementTree.fromstring(response.content)
        return response, {
            entry.findtext(f"{ATOM}title"): entry for entry in root.iter(f"{ATOM}entry")
        }

    def test_lists_published_articles_with_restored_titles_newest_first(self):
        _response, entries = self.entries()
        self.assertEqual(list(entries), [
            "市审计局“四个着力”推进清廉机关建设", "县交通运输局：以党建引领打造“XX交通”品牌",
        ])
        entry = entries["县交通运输局：以党建引领打造“XX交通”品牌"]
        self.assertEqual(entry.find(f"{ATOM}link").get("href"),
                         f"http://testserver{self.public.get_absolute_url()}")
        self.assertEqual(entry.findtext(f"{ATOM}author/{ATOM}name"), "县交通运输局")

    def test_never_carries_drafts_or_members_only_text(self):
        response, entries = self.entries()
        body = response.content.decode()
        self.assertNotIn("草稿：尚未审定的经验材料", body)
        self.assertNotIn("未发布汇编中的文章", body)
        self.assertNotIn(SECRET, body)
        summary = entries["市审计局“四个着力”推进清廉机关建设"].findtext(f"{ATOM}summary")
        self.assertIn("今年以来，XX市审计局紧紧围绕模范机关建设目标", summary)
        self.assertIn("本文仅对会员开放", summary)

    def test_query_count_is_fixed(self):
        for _ in range(3):
            make_article(compilation=self.compilation, themes=["党建", "清廉机关"])
        with self.assertNumQueries(3):  # the library state, the articles, their themes
            self.client.get(reverse("articles:feed"))
