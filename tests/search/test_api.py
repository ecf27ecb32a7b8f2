"""GET /api/search/: JSON shape, ranking, filters, paging, members-only and drafts, odd input."""
from django.test import TestCase
from django.urls import reverse

from articles.models import Status
from tests.factories import make_agency, make_article, make_compilation, make_user

URL = reverse("articles:api_search")


class ApiSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.agency = make_agency(name="市审计局", sector="审计")
        cls.other_agency = make_agency(name="县民政局", sector="民政")
        cls.compilation = make_compilation()
        cls.in_title = make_article(
            compilation=cls.compilation, title="机关D建提质增效", agency=cls.agency, year=2023,
            original_text="正文只谈作风。", sections=[],
        )
        cls.in_heading = make_article(
            compilation=cls.compilation, title="审计工作综述", agency=cls.other_agency, year=2022,
            original_text="一、抓好党建\n正文谈业务。",
            sections=[{"heading": "一、抓好党建", "paragraphs": ["正文谈业务。"]}],
        )
        cls.in_body = make_article(
            compilation=cls.compilation, title="民政工作", agency=cls.agency, year=2023,
            original_text="推进<b>党建</b>与业务融合，开展TD日。", sections=[],
        )
        cls.members = make_article(
            compilation=cls.compilation, title="会员专享材料", members_only=True,
            original_text="会员才能读到的党建经验。", sections=[],
        )
        cls.draft = make_article(
            compilation=cls.compilation, title="草稿党建", status=Status.DRAFT,
            original_text="草稿中的党建。", sections=[],
        )

    def get(self, **params):
        response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()

    def test_results_are_ranked_title_then_heading_then_body(self):
        data = self.get(q="党建")
        ids = [r["id"] for r in data["results"]]
        self.assertEqual(data["query"], "党建")
        self.assertEqual(data["total"], 4)
        self.assertEqual(ids[:2], [self.in_title.pk, self.in_heading.pk])
        self.assertEqual(set(ids[2:]), {self.in_body.pk, self.members.pk})  # body only
        first = data["results"][0]
        self.assertEqual(first["title"], "机关党建提质增效")
        self.assertEqual(first["url"], self.in_title.get_absolute_url())
        self.assertEqual(first["agency"], "市审计局")

    def test_snippets_mark_matches_and_escape_the_text(self):
        data = self.get(q="D建 主题党日")
        body = next(r for r in data["results"] if r["id"] == self.in_body.pk)
        joined = "".join(body["snippets"])
        self.assertIn("<mark>党建</mark>", joined)
        self.assertIn("<mark>主题党日</mark>", joined)
        self.assertIn("&lt;b&gt;", joined)
        self.assertNotIn("<b>", joined)

    def test_anonymous_readers_get_no_snippet_of_members_only_text(self):
        result = next(r for r in self.get(q="党建")["results"] if r["id"] == self.members.pk)
        self.assertEqual(result["title"], "会员专享材料")
        self.assertEqual(result["snippets"], [])

    def test_members_get_snippets_of_members_only_text(self):
        self.client.force_login(make_user("会员甲", group="会员"))
        result = next(r for r in self.get(q="党建")["results"] if r["id"] == self.members.pk)
        self.assertTrue(result["snippets"])

    def test_drafts_only_for_editors(self):
        self.assertNotIn(self.draft.pk, [r["id"] for r in self.get(q="党建")["results"]])
        self.client.force_login(make_user("编辑甲", group="编辑", staff=True))
        self.assertIn(self.draft.pk, [r["id"] for r in self.get(q="党建")["results"]])

    def test_filters_combine_with_the_query(self):
        data = self.get(q="党建", agency=self.agency.pk, year=2023)
        self.assertEqual({r["id"] for r in data["results"]}, {self.in_title.pk, self.in_body.pk})
        self.assertEqual(self.get(q="党建", sector="民政")["total"], 1)
        self.assertEqual(self.get(q="党建", compilation=self.compilation.pk)["total"], 4)

    def test_paging(self):
        for n in range(23):
            make_article(compilation=self.compilation, title=f"分页测试{n}",
                         original_text="砗磲在这里。", sections=[])
        first, second = self.get(q="砗磲"), self.get(q="砗磲", page=2)
        self.assertEqual((first["total"], len(first["results"]), len(second["results"])),
                         (23, 20, 3))
        self.assertFalse({r["id"] for r in first["results"]} & {r["id"] for r in second["results"]})

    def test_odd_input_gives_a_normal_answer(self):
        for params in (
            {}, {"q": ""}, {"q": "*"}, {"q": '"'}, {"q": "NEAR("}, {"q": "党建 OR"},
            {"q": ":"}, {"q": "'; DROP TABLE articles_article;--"}, {"q": "党" * 5000},
            {"q": "党建", "page": "abc"}, {"q": "党建", "page": "99999"},
            {"q": "党建", "agency": "x"}, {"q": "党建", "agency": "99999999999999999999"},
            {"q": "党建", "year": "-1"}, {"q": "党建", "level": "无效"},
            {"q": "党建", "theme": "不存在"}, {"q": "\x00党建"},
        ):
            data = self.get(**params)
            self.assertEqual(set(data), {"query", "total", "results"}, params)

    def test_query_is_cut_at_the_limit(self):
        data = self.get(q="党" * 5000)
        self.assertLessEqual(len(data["query"]), 100)
