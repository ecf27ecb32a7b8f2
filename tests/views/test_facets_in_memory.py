"""Facet counts of search results counted in memory over the matching ids equal the SQL
GROUP BY counts, on generated libraries (agencies with and without region or sector, articles
without agency or year, several compilations, drafts, overlapping tags)."""
import random
from unittest import mock

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from articles import search as search_engine
from articles.facets import FACET_NAMES, compute_facets, compute_facets_for_ids, facets_for
from articles.models import Agency, Article, Status
from articles.reading import listable
from tests.factories import make_agency, make_article, make_compilation, make_user

WORDS = ["党建", "清廉机关", "作风建设", "模范机关", "主题党日", "学习强国", "信访"]
THEMES = ["党建", "清廉", "作风", "学习", "基层治理"]
INITIATIVES = ["四点聚力", "三化", "五型", "六型"]


def generate(seed, n=60):
    rng = random.Random(seed)
    levels = [value for value, _ in Agency.Level.choices]
    agencies = [
        make_agency(
            name=f"第{seed}-{i}机关", level=rng.choice(levels),
            sector=rng.choice(["", "审计", "纪检", "教育"]),
            region=rng.choice(["", "都匀市", "三都县", "西山区"]),
        )
        for i in range(6)
    ]
    compilations = [
        make_compilation(title=f"汇编{seed}-{i}", status=rng.choice([Status.PUBLISHED] * 3 + [Status.DRAFT]))
        for i in range(4)
    ]
    for i in range(n):
        words = rng.sample(WORDS, rng.randint(1, 3))
        body = "，".join(words) + f"，第{i}篇。"
        make_article(
            title=f"{rng.choice(WORDS)}经验{i}",
            original_text=f"一、{words[0]}\n{body}",
            sections=[{"heading": f"一、{words[0]}", "paragraphs": [body]}],
            agency=rng.choice(agencies + [None]),
            compilation=rng.choice(compilations),
            year=rng.choice([None, 2021, 2022, 2023, 2024]),
            status=rng.choice([Status.PUBLISHED] * 4 + [Status.DRAFT]),
            themes=rng.sample(THEMES, rng.randint(0, 3)),
            initiatives=rng.sample(INITIATIVES, rng.randint(0, 2)),
        )


class InMemoryFacetTests(TestCase):
    def check_equal(self, queryset, q, scope=search_engine.Scope.EDITOR):
        results = search_engine.search_results(q, scope, filters=queryset)
        ids = results.match_ids()
        self.assertEqual(len(ids), results.matches().count())
        by_sql = compute_facets(results.matches(), joinable=True)
        by_ids = compute_facets_for_ids(ids)
        self.assertEqual(by_ids["total"], by_sql["total"])
        for name in FACET_NAMES:
            self.assertEqual(by_ids[name], by_sql[name], f"{q} {name}")
        return by_ids

    def test_counts_equal_sql_group_by_on_generated_libraries(self):
        editor = make_user("编辑小周", group="编辑", staff=True)
        for seed in (1, 2):
            generate(seed)
            for user in (None, editor):
                reader = user or make_user(f"读者{seed}")
                base, scope = listable(reader), search_engine.scope_for(reader)
                for q in ("党建", "机关", "清廉机关 作风", "建", "犰狳"):
                    # Counted directly, and as every article less the complement (a set
                    # holding most of the library is; here any set).
                    for share in (2.0, 0.0):
                        with self.subTest(seed=seed, q=q, editor=bool(user), share=share), \
                                mock.patch("articles.facets.COMPLEMENT_SHARE", share):
                            self.check_equal(base.order_by(), q, scope)
                # A filtered scope (the reader's facet filters): only the filtered ids.
                agency = Agency.objects.order_by("pk").first()
                self.check_equal(
                    base.filter(agency=agency, year__gte=2022).order_by(), "党建", scope
                )
        self.assertGreater(self.check_equal(Article.objects.all(), "党建")["total"], 5)

    def test_counts_follow_edits(self):
        generate(3, n=20)
        before = compute_facets_for_ids(search_engine.search_results("党建").match_ids())
        moved = Article.objects.filter(pk__in=search_engine.search_results(
            "党建").match_ids()).first()
        new_agency = make_agency(name="新设机关", region="西山区", level="区", sector="纪检")
        moved.agency = new_agency
        moved.save()
        moved.themes.add("新主题")
        make_article(title="党建新篇", themes=["新主题"], agency=new_agency)
        after = self.check_equal(Article.objects.all(), "党建")
        self.assertEqual(after["total"], before["total"] + 1)
        self.assertIn((new_agency.pk, "新设机关（西山区）", 2), after["agency"])
        self.assertIn(("新主题", "新主题", 2), [tuple(row) for row in after["theme"]])

    def test_search_page_shows_the_in_memory_counts(self):
        generate(4, n=30)
        response = self.client.get(reverse("articles:search"), {"q": "党建"})
        self.assertEqual(response.status_code, 200)
        public = listable(make_user("读者乙"))
        expected = compute_facets(
            search_engine.search_results(
                "党建", search_engine.Scope.PUBLIC, filters=public.order_by()
            ).matches(), joinable=True
        )
        self.assertEqual(response.context["total"], expected["total"])
        for name in FACET_NAMES:
            self.assertEqual(response.context["facet_counts"][name], expected[name], name)


class ListFacetTests(TestCase):
    def test_list_counts_equal_sql_group_by(self):
        # The article list's and the home page's counts (``facets_for``): the filtered set's
        # ids counted in memory, directly or by the complement.
        generate(6)
        agency = Agency.objects.order_by("pk").first()
        reader = make_user("读者丙")
        for name, queryset in {
            "all": listable(None), "member": listable(reader),
            "agency": listable(None).filter(agency=agency),
            "year+theme": listable(None).filter(year__gte=2022, themes__slug="党建"),
            "nothing": listable(None).filter(pk__in=[]),
        }.items():
            for share in (2.0, 0.0):
                with self.subTest(name=name, share=share), \
                        mock.patch("articles.facets.COMPLEMENT_SHARE", share):
                    cache.clear()
                    by_ids = facets_for(queryset, scope="public", params=[name, share])
                    self.assertEqual(by_ids, compute_facets(queryset))

    def test_list_page_shows_them(self):
        generate(7, n=30)
        response = self.client.get(reverse("articles:list"), {"year": "2023"})
        expected = compute_facets(listable(None).filter(year=2023))
        self.assertEqual(response.context["total"], expected["total"])
        for name in FACET_NAMES:
            self.assertEqual(response.context["facet_counts"][name], expected[name], name)


class UnknownIdTests(TestCase):
    def test_ids_without_an_article_are_dropped_as_the_sql_join_drops_them(self):
        generate(5, n=10)
        ids = search_engine.search_results("党建").match_ids()
        self.assertTrue(ids)
        missing = max(Article.objects.values_list("pk", flat=True)) + 1000
        for share in (2.0, 0.0):  # counted directly, or by the complement
            with self.subTest(share=share), mock.patch("articles.facets.COMPLEMENT_SHARE", share):
                with_missing = compute_facets_for_ids([*ids, missing, -1])
                self.assertEqual(with_missing, compute_facets_for_ids(ids))
                self.assertEqual(with_missing["total"], len(ids))
