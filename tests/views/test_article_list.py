"""The faceted article list: exact counts, combinable filters kept in the URL, sorting,
pagination, bad parameters, and counts that follow every change."""
import re

from django.test import TestCase
from django.urls import reverse

from articles.models import Article, Status
from tests.factories import make_agency, make_article, make_compilation, make_user

LIST = reverse("articles:list")


def facet(response, name):
    """{label: count} of one facet group of the page."""
    return {label: count for _, label, count in response.context["facet_counts"][name]}


class ArticleListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.audit = make_agency(name="市审计局", level="市", sector="审计", region="都匀市")
        cls.organisation = make_agency(name="县委组织部", level="县", sector="组织", region="三都县")
        cls.civil = make_agency(name="市民政局", level="市", sector="民政", region="都匀市")
        cls.first = make_compilation(title="模范机关建设材料汇编（一）")
        cls.second = make_compilation(title="清廉机关建设材料汇编（二）")
        specs = [
            # agency, compilation, year, themes, initiatives
            (cls.audit, cls.first, 2023, ["党建", "清廉机关"], ["四点聚力"]),
            (cls.audit, cls.first, 2022, ["清廉机关"], []),
            (cls.organisation, cls.first, 2023, ["党建"], ["三个强化"]),
            (cls.organisation, cls.second, 2021, ["作风建设"], ["三个强化"]),
            (cls.civil, cls.second, 2023, ["党建"], ["四点聚力"]),
            (None, cls.second, None, [], []),
        ]
        titles = ["甲：审计清廉", "乙：审计作风", "丙：组织党建", "丁：组织作风", "戊：民政服务", "己：无机关"]
        for (agency, compilation, year, themes, initiatives), title in zip(specs, titles):
            make_article(agency=agency, compilation=compilation, year=year, themes=themes,
                         initiatives=initiatives, title=title)
        make_article(agency=cls.audit, compilation=cls.first, title="草稿不计数",
                     status=Status.DRAFT, themes=["党建"])

    def test_unfiltered_counts_are_exact_and_exclude_drafts(self):
        response = self.client.get(LIST)
        self.assertEqual(response.context["total"], 6)
        self.assertEqual(facet(response, "level"), {"市": 3, "县": 2})
        self.assertEqual(facet(response, "sector"), {"审计": 2, "组织": 2, "民政": 1})
        # Every level of the region facet: an article counts for its county, prefecture and
        # province.
        self.assertEqual(facet(response, "region"), {"贵州": 5, "黔南州": 5, "都匀市": 3, "三都县": 2})
        self.assertEqual(facet(response, "theme"), {"党建": 3, "清廉机关": 2, "作风建设": 1})
        self.assertEqual(facet(response, "initiative"), {"四点聚力": 2, "三个强化": 2})
        self.assertEqual(facet(response, "year"), {"2023": 3, "2022": 1, "2021": 1})
        self.assertEqual(
            facet(response, "compilation"),
            {"模范机关建设材料汇编（一）": 3, "清廉机关建设材料汇编（二）": 3},
        )
        self.assertNotContains(response, "草稿不计数")
        self.assertContains(response, f'href="{reverse("articles:theme", args=["清廉机关"])}"', 2)
        self.assertContains(response, f'href="{reverse("articles:initiative", args=["四点聚力"])}"')

    def test_counts_match_the_database_under_combined_filters(self):
        response = self.client.get(LIST, {"level": "市", "theme": "党建"})
        expected = Article.objects.published().filter(agency__level="市", themes__slug="党建")
        self.assertEqual(response.context["total"], expected.count())
        self.assertEqual(
            {a.title for a in response.context["page_obj"]}, {a.title for a in expected}
        )
        self.assertEqual(facet(response, "sector"), {"审计": 1, "民政": 1})
        self.assertEqual(facet(response, "initiative"), {"四点聚力": 2})
        self.assertEqual(facet(response, "year"), {"2023": 2})

    def test_every_facet_value_link_keeps_the_other_filters(self):
        response = self.client.get(LIST, {"year": "2023", "page": "1"})
        match = re.search(r'<a href="(\?[^"]*)"><span class="facet-label">党建</span>',
                          response.content.decode())
        link = match.group(1).replace("&amp;", "&")
        self.assertIn("year=2023", link)
        self.assertIn("theme=", link)
        self.assertNotIn("page=", link)
        followed = self.client.get(LIST + link)
        self.assertEqual(followed.context["total"], 3)
        self.assertContains(followed, "主题：党建")

    def test_filter_by_agency_region_initiative_and_compilation(self):
        cases = {
            "agency": (str(self.organisation.pk), 2), "region": ("三都县", 2),
            "initiative": ("三个强化", 2), "compilation": (str(self.second.pk), 3),
            "sector": ("民政", 1),
        }
        for name, (value, count) in cases.items():
            with self.subTest(name=name):
                self.assertEqual(self.client.get(LIST, {name: value}).context["total"], count)

    def test_the_region_facet_walks_down_from_the_provinces(self):
        def shown(response):
            """(label, count, selected) of the region facet's links, as the page shows them."""
            html = response.content.decode()
            section = html[html.index('aria-labelledby="facet-region"'):]
            section = section[:section.index("</section>")]
            return [(label, int(count), bool(selected)) for selected, label, count in re.findall(
                r'<a href="[^"]*"( class="selected")?[^>]*><span class="facet-label">([^<]+)'
                r'</span> <span class="count">(\d+)</span>', section)]

        top = self.client.get(LIST)
        self.assertEqual(shown(top), [("贵州", 5, False)])
        province = self.client.get(LIST, {"region": "52"})
        self.assertEqual(province.context["total"], 5)
        self.assertEqual(shown(province), [("贵州", 5, True), ("黔南州", 5, False)])
        prefecture = self.client.get(LIST, {"region": "黔南布依族苗族自治州"})
        self.assertEqual(prefecture.context["total"], 5)
        self.assertEqual(shown(prefecture), [
            ("贵州", 5, False), ("黔南州", 5, True), ("都匀市", 3, False), ("三都县", 2, False)])
        county = self.client.get(LIST, {"region": "都匀市"})
        self.assertEqual(county.context["total"], 3)
        self.assertContains(county, "贵州省 › 黔南州 › 都匀市")  # the chip names the whole path
        self.assertEqual(self.client.get(LIST, {"region": "江苏省"}).context["total"], 0)

    def test_sort_by_title_and_by_date(self):
        by_title = self.client.get(LIST, {"sort": "title"})
        titles = [a.title for a in by_title.context["page_obj"]]
        self.assertEqual(titles, sorted(titles))
        newest = self.client.get(LIST)
        dates = [a.published_at for a in newest.context["page_obj"]]
        self.assertEqual(dates, sorted(dates, reverse=True))

    def test_bad_parameters_give_a_normal_page(self):
        for params in (
            {"page": "abc"}, {"page": "99999"}, {"page": "-1"}, {"year": "abc"},
            {"agency": "99999999999999999999"}, {"agency": "不存在"}, {"level": "火星"},
            {"theme": "不存在的主题"}, {"sort": "<script>"}, {"compilation": "0"},
            {"region": "x" * 500}, {"region": "火星"}, {"region": "朝阳区"}, {"region": "99"},
            {"theme": "a\x00b"},
        ):
            with self.subTest(params=params):
                self.assertEqual(self.client.get(LIST, params).status_code, 200)

    def test_unknown_facet_value_matches_nothing(self):
        response = self.client.get(LIST, {"theme": "不存在的主题"})
        self.assertEqual(response.context["total"], 0)
        self.assertContains(response, "没有符合条件的文章")

    def test_pagination_keeps_filters(self):
        for i in range(25):
            make_article(agency=self.civil, compilation=self.second, title=f"民政材料{i:02d}")
        response = self.client.get(LIST, {"agency": self.civil.pk})
        self.assertEqual(response.context["total"], 26)
        self.assertEqual(len(response.context["page_obj"]), 20)
        self.assertContains(response, f"agency={self.civil.pk}&amp;page=2")
        last = self.client.get(LIST, {"agency": self.civil.pk, "page": 99})
        self.assertEqual(len(last.context["page_obj"]), 6)

    def test_editors_see_and_count_drafts(self):
        self.client.force_login(make_user("编辑老王", group="编辑", staff=True))
        response = self.client.get(LIST)
        self.assertEqual(response.context["total"], 7)
        self.assertContains(response, "草稿不计数")


class FacetCacheTests(TestCase):
    """Counts are cached, and every change that can alter them is seen by the next reader."""

    def setUp(self):
        self.article = make_article(title="甲", themes=["党建"], year=2023)

    def total(self, **params):
        return self.client.get(LIST, params).context["total"]

    def test_new_and_deleted_articles_change_the_counts(self):
        self.assertEqual(self.total(), 1)
        other = make_article(title="乙")
        self.assertEqual(self.total(), 2)
        other.delete()
        self.assertEqual(self.total(), 1)

    def test_tag_changes_change_the_counts(self):
        self.assertEqual(self.total(theme="清廉机关"), 0)
        self.article.themes.add("清廉机关")
        self.assertEqual(self.total(theme="清廉机关"), 1)
        self.article.themes.remove("清廉机关")
        self.assertEqual(self.total(theme="清廉机关"), 0)

    def test_unpublishing_a_compilation_hides_its_articles(self):
        self.assertEqual(self.total(), 1)
        compilation = self.article.compilation
        compilation.status = Status.DRAFT
        compilation.save()
        self.assertEqual(self.total(), 0)

    def test_editing_an_article_moves_it_between_facet_values(self):
        self.assertEqual(self.total(year=2023), 1)
        self.article.year = 2024
        self.article.save()
        self.assertEqual(self.total(year=2023), 0)
        self.assertEqual(self.total(year=2024), 1)

    def test_renaming_an_agency_relabels_its_facet_value(self):
        agency = make_agency(name="市审计局", level="市")
        make_article(title="丙", agency=agency)
        self.assertIn("市审计局", facet(self.client.get(LIST), "agency"))
        agency.name = "市审计局（新）"
        agency.save()
        self.assertIn("市审计局（新）", facet(self.client.get(LIST), "agency"))
