"""GET /api/search/: JSON shape, ranking, filters, paging, members-only and drafts, odd input."""
from django.test import TestCase
from django.urls import reverse

import datetime

from django.utils import timezone

from articles.models import Article, Status
from articles.text import teaser
from tests.factories import make_agency, make_article, make_compilation, make_user

URL = reverse("api:search")


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
        # "党建" once in the free preview, "鹳雀楼" only past it (the preview is 150 characters).
        cls.members = make_article(
            compilation=cls.compilation, title="会员专享材料", members_only=True,
            original_text="开头公开的党建概述。" + "会员正文" * 60 + "结尾写到鹳雀楼经验。",
            sections=[],
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

    def test_anonymous_readers_get_snippets_of_the_free_preview_only(self):
        result = next(r for r in self.get(q="党建")["results"] if r["id"] == self.members.pk)
        self.assertEqual(result["title"], "会员专享材料")
        (snippet,) = result["snippets"]
        self.assertTrue(snippet.startswith("开头公开的<mark>党建</mark>概述。会员正文"), snippet)
        shown = snippet.replace("<mark>", "").replace("</mark>", "").rstrip("…")
        self.assertTrue(teaser(self.members.text).startswith(shown))  # never past the preview
        # What lies past the preview is not matched at all: no result, no count.
        self.assertEqual(self.get(q="鹳雀楼"),
                         {"query": "鹳雀楼", "total": 0, "match": "loose", "results": []})
        self.client.force_login(make_user("读者乙"))  # signed in, not a member: the same
        self.assertEqual(self.get(q="鹳雀楼")["total"], 0)

    def test_members_get_snippets_of_members_only_text(self):
        self.client.force_login(make_user("会员甲", group="会员"))
        result = next(r for r in self.get(q="鹳雀楼")["results"] if r["id"] == self.members.pk)
        self.assertIn("结尾写到<mark>鹳雀楼</mark>经验。", "".join(result["snippets"]))

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
            {"q": "党建", "sort": "random"}, {"q": "党建", "match": "fuzzy"},
            {"q": "党建", "from": "abc"}, {"q": "党建", "to": "2023-02-30"},
            {"q": "党建", "from": "1"}, {"q": "党建", "from": "\u0967"}, {"q": "-"},
            {"q": "intitle:"}, {"q": "| -"}, {"q": "党建 -", "sort": "oldest", "match": "loose"},
        ):
            data = self.get(**params)
            self.assertEqual(set(data), {"query", "total", "match", "results"}, params)
            self.assertIn(data["match"], ("exact", "loose"))

    def test_operators_date_range_sort_and_match(self):
        ids = lambda **params: [r["id"] for r in self.get(**params)["results"]]  # noqa: E731
        self.assertEqual(set(ids(q="党建 -作风")), {self.in_heading.pk, self.in_body.pk,
                                                    self.members.pk})
        self.assertEqual(ids(q="intitle:党建"), [self.in_title.pk])
        self.assertEqual(set(ids(q="作风 | 业务")), {self.in_title.pk, self.in_heading.pk,
                                                  self.in_body.pk})
        # from/to bound the publication time, by year, month or day.
        Article.objects.filter(pk=self.in_body.pk).update(
            published_at=timezone.make_aware(datetime.datetime(2021, 3, 15, 9)))
        self.assertEqual(ids(q="党建", to="2021"), [self.in_body.pk])
        self.assertEqual(ids(q="党建", **{"from": "2021-03", "to": "2021-03-15"}), [self.in_body.pk])
        self.assertNotIn(self.in_body.pk, ids(q="党建", **{"from": "2021-03-16"}))
        # newest and oldest first, instead of by relevance
        newest, oldest = ids(q="党建", sort="newest"), ids(q="党建", sort="oldest")
        self.assertEqual(newest, list(reversed(oldest)))
        self.assertEqual(oldest[0], self.in_body.pk)
        # exact, loose, and the fallback: 融合开展 is written 融合，开展 here
        self.assertEqual(self.get(q="融合开展")["match"], "loose")
        self.assertEqual(ids(q="融合开展"), [self.in_body.pk])
        self.assertIn("<mark>融合，开展</mark>", self.get(q="融合开展")["results"][0]["snippets"][0])
        self.assertEqual(self.get(q="融合开展", match="exact")["total"], 0)
        self.assertEqual(self.get(q="业务融合", match="loose")["match"], "loose")

    def test_query_is_cut_at_the_limit(self):
        data = self.get(q="党" * 5000)
        self.assertLessEqual(len(data["query"]), 100)


class RankingWithinTierTests(TestCase):
    """More and closer matches first within a tier, newest first on ties, through the API."""

    def ids(self, q):
        response = self.client.get(URL, {"q": q})
        self.assertEqual(response.status_code, 200)
        return [r["id"] for r in response.json()["results"]]

    def body_article(self, text):
        return make_article(title="材料", original_text=text, sections=[])

    def test_more_occurrences_rank_higher(self):
        three = self.body_article("蝾螈出现。又见蝾螈。再见D螈无关。第三次蝾螈。")
        one = self.body_article("只见一次蝾螈。")
        tie = self.body_article("也只一次蝾螈。")
        self.assertEqual(self.ids("蝾螈"), [three.pk, tie.pk, one.pk])

    def test_terms_close_together_rank_higher(self):
        near = self.body_article("蝾螈与鲵同在一处。" + "无关的文字。" * 40)
        far = self.body_article("蝾螈在这里。" + "无关的文字。" * 40 + "鲵在那里。")
        self.assertEqual(self.ids("鲵 蝾螈"), [near.pk, far.pk])

    def test_codes_count_as_the_words_they_stand_for(self):
        coded = self.body_article("抓D建，促D建，强D建。")
        plain = self.body_article("抓党建。")
        self.assertEqual(self.ids("党建"), [coded.pk, plain.pk])

    def test_a_title_match_still_beats_any_number_of_body_matches(self):
        body = self.body_article("蝾螈，" * 30)
        title = make_article(title="蝾螈保护", original_text="正文。", sections=[])
        self.assertEqual(self.ids("蝾螈"), [title.pk, body.pk])

    def test_an_edit_reorders_at_once(self):
        # the normalised texts scored are cached per library version: an edit must show
        older = self.body_article("只见一次蝾螈。")
        newer = self.body_article("也只一次蝾螈。")
        self.assertEqual(self.ids("蝾螈"), [newer.pk, older.pk])
        older.original_text = "蝾螈，蝾螈，蝾螈。"
        older.save()
        self.assertEqual(self.ids("蝾螈"), [older.pk, newer.pk])
