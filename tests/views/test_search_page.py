"""The /search/ page: ranked results with marked snippets, the list's facets combined with the
query and counted over the results, links that carry the query to the article page."""
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from tests.factories import make_agency, make_article

SEARCH = reverse("articles:search")


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        city = make_agency(name="市审计局", level="市", sector="审计")
        county = make_agency(name="县委组织部", level="县", sector="组织")
        cls.hit_city = make_article(
            agency=city, title="市审计局推进清廉机关建设", themes=["清廉机关"],
            original_text="审计局开展清廉文化进机关活动，营造风清气正氛围。",
            sections=[{"heading": "", "paragraphs": ["审计局开展清廉文化进机关活动，营造风清气正氛围。"]}],
        )
        cls.hit_county = make_article(
            agency=county, title="县委组织部：以D建促清廉", themes=["党建", "清廉机关"],
            original_text="组织部把清廉教育纳入D员培训。",
            sections=[{"heading": "", "paragraphs": ["组织部把清廉教育纳入D员培训。"]}],
        )
        cls.miss = make_article(agency=county, title="县委组织部志愿服务", themes=["志愿服务"],
                                original_text="开展志愿服务活动。",
                                sections=[{"heading": "", "paragraphs": ["开展志愿服务活动。"]}])

    def test_results_snippets_and_counts_describe_the_query(self):
        response = self.client.get(SEARCH, {"q": "清廉"})
        self.assertEqual({a.pk for a in response.context["page_obj"]},
                         {self.hit_city.pk, self.hit_county.pk})
        self.assertEqual(response.context["total"], 2)
        counts = response.context["facet_counts"]
        self.assertEqual({label: n for _, label, n in counts["level"]}, {"市": 1, "县": 1})
        self.assertEqual({label: n for _, label, n in counts["theme"]}, {"清廉机关": 2, "党建": 1})
        self.assertContains(response, "<mark>清廉</mark>")
        self.assertContains(response, '推进<mark class="hl">清廉</mark>机关建设</a>')
        self.assertContains(response, f'{self.hit_city.get_absolute_url()}?hl=%E6%B8%85%E5%BB%89')

    def test_filters_combine_with_the_query(self):
        response = self.client.get(SEARCH, {"q": "清廉", "level": "县"})
        self.assertEqual(list(response.context["page_obj"]), [self.hit_county])
        self.assertEqual(response.context["total"], 1)
        self.assertContains(response, "层级：县")
        self.assertContains(response, '<input type="hidden" name="level" value="县">')

    def test_restored_words_find_coded_text(self):
        response = self.client.get(SEARCH, {"q": "党员"})
        self.assertEqual(list(response.context["page_obj"]), [self.hit_county])

    def test_sort_by_date_overrides_relevance(self):
        response = self.client.get(SEARCH, {"q": "清廉", "sort": "date"})
        dates = [a.published_at for a in response.context["page_obj"]]
        self.assertEqual(dates, sorted(dates, reverse=True))

    def test_odd_queries_never_error(self):
        for q in ('NEAR(清廉', '"未闭合', "清廉*", "AND OR NOT", "<script>alert(1)</script>",
                  "机关" * 150, "％＄＃", "a\x00b", "' OR 1=1 --", "   "):
            with self.subTest(q=q):
                response = self.client.get(SEARCH, {"q": q, "page": "abc"})
                self.assertEqual(response.status_code, 200)
                self.assertNotIn(b"<script>alert(1)", response.content)

    def test_empty_query_shows_the_form_only(self):
        response = self.client.get(SEARCH)
        self.assertContains(response, 'role="search"')
        self.assertNotIn("page_obj", response.context)

    def test_drafts_are_not_found(self):
        make_article(title="草稿里的清廉", status="draft",
                     original_text="清廉", sections=[{"heading": "", "paragraphs": ["清廉"]}])
        response = self.client.get(SEARCH, {"q": "清廉"})
        self.assertEqual(response.context["total"], 2)
        self.assertEqual(Article.objects.filter(title="草稿里的清廉").count(), 1)


class SearchPageOperatorTests(SearchPageTests):
    """Operators, 在结果中搜索, date ranges and the punctuation-blind fallback on the page."""

    def ids(self, **params):
        response = self.client.get(SEARCH, params)
        self.assertEqual(response.status_code, 200)
        return {a.pk for a in response.context["page_obj"]}

    def test_operators_are_explained_and_applied(self):
        response = self.client.get(SEARCH, {"q": "清廉 -审计"})
        self.assertContains(response, "intitle:词＝只搜标题")
        self.assertEqual({a.pk for a in response.context["page_obj"]}, {self.hit_county.pk})
        self.assertEqual(self.ids(q="审计 | 志愿"), {self.hit_city.pk, self.miss.pk})
        self.assertEqual(self.ids(q="intitle:清廉"), {self.hit_city.pk, self.hit_county.pk})
        self.assertEqual(self.ids(q="intitle:审计局开展"), set())  # only in the body

    def test_search_within_results_keeps_the_query_and_filters(self):
        level = "县"
        response = self.client.get(SEARCH, {"q": "清廉", "level": level, "within": "教育"})
        self.assertEqual(response.status_code, 302)
        follow = self.client.get(response["Location"])
        self.assertEqual(follow.context["q"], "清廉 教育")
        self.assertEqual(follow.context["filter"].active(), {"level": level})
        self.assertEqual({a.pk for a in follow.context["page_obj"]}, {self.hit_county.pk})
        self.assertContains(follow, 'name="within"')

    def test_date_range_bounds_the_publication_time(self):
        import datetime

        from django.utils import timezone

        Article.objects.filter(pk=self.hit_city.pk).update(
            published_at=timezone.make_aware(datetime.datetime(2020, 6, 1)))
        self.assertEqual(self.ids(q="清廉", to="2020"), {self.hit_city.pk})
        self.assertEqual(self.ids(q="清廉", **{"from": "2020-06-02"}), {self.hit_county.pk})
        self.assertEqual(self.ids(q="清廉", **{"from": "不是日期"}),
                         {self.hit_city.pk, self.hit_county.pk})  # ignored, never an error
        response = self.client.get(SEARCH, {"q": "清廉", "from": "2020-06", "to": "2020-06-30"})
        self.assertContains(response, "起始：2020-06-01")

    def test_nothing_exact_falls_back_to_punctuation_blind_and_says_so(self):
        response = self.client.get(SEARCH, {"q": "清廉文化进机关活动营造"})  # written 活动，营造
        self.assertEqual({a.pk for a in response.context["page_obj"]}, {self.hit_city.pk})
        self.assertContains(response, "以下结果忽略了标点和引号")
        self.assertContains(response, "<mark>清廉文化进机关活动，营造</mark>")
        exact = self.client.get(SEARCH, {"q": "清廉文化进机关活动营造", "match": "exact"})
        self.assertEqual(exact.context["total"], 0)
        self.assertNotContains(exact, "以下结果忽略了标点和引号")
