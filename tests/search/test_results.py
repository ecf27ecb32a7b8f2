"""search_results: counts and ranked pages from the index alone, for every reader's scope.

The count and the ids of every page must equal what the ranked QuerySet (which joins every
match with its article) gives, for the editors' scope (all articles), the public scope
(drafts and articles of unpublished compilations hidden) and a filtered scope.
"""
from unittest import mock

from django.core.paginator import Paginator
from django.test import TestCase

from articles.models import Article, Status
from articles.reading import listable
from articles.search import search_articles, search_results
from tests.factories import make_agency, make_article, make_compilation


class SearchResultsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.agency = make_agency(name="市档案局")
        shown = make_compilation(title="公开汇编")
        hidden = make_compilation(title="未发布汇编", status=Status.DRAFT)
        for n in range(31):
            title = f"蝾螈保护第{n}篇" if n % 5 == 0 else f"生态材料第{n}篇"
            heading = "一、蝾螈调查" if n % 3 == 0 else "一、概况"
            make_article(
                compilation=hidden if n % 7 == 0 else shown,
                status=Status.DRAFT if n % 4 == 1 else Status.PUBLISHED,
                agency=cls.agency if n % 2 else None,
                title=title, original_text=f"{heading}\n本地发现蝾螈{n}处，另有鲵。",
                sections=[{"heading": heading, "paragraphs": [f"本地发现蝾螈{n}处，另有鲵。"]}],
            )
        make_article(compilation=shown, title="无关", original_text="没有。", sections=[])

    def scopes(self):
        return {
            "all": Article.objects.all(),
            "published": Article.objects.published(),
            "listable": listable(None),
            "filtered": Article.objects.published().filter(agency=self.agency),
            "empty": Article.objects.none(),
        }

    def test_count_and_pages_equal_the_ranked_queryset(self):
        for name, queryset in self.scopes().items():
            for q in ("蝾螈", "蝾螈 鲵", "鲵", "蝾", "无关", "犰狳"):
                with self.subTest(scope=name, q=q):
                    expected = list(search_articles(queryset, q).values_list("pk", flat=True))
                    results = search_results(queryset, q)
                    self.assertEqual(results.count(), len(expected))
                    pages = [results[start:start + 7] for start in range(0, 40, 7)]
                    self.assertEqual([pk for page in pages for pk in page], expected)

    def test_tiered_pages_of_large_result_sets_equal_the_ranked_queryset(self):
        # PostgreSQL ranks small result sets whole and large ones tier by tier: force the
        # tiered path on this small library (SQLite always pages tier by tier).
        with mock.patch("articles.search.postgres.RANK_ALL_MAX", 0):
            self.test_count_and_pages_equal_the_ranked_queryset()

    def test_public_scope_hides_drafts_and_unpublished_compilations(self):
        ids = set(search_results(Article.objects.published(), "蝾螈")[0:100])
        statuses = set(
            Article.objects.filter(pk__in=ids).values_list("status", "compilation__status")
        )
        self.assertEqual(statuses, {(Status.PUBLISHED, Status.PUBLISHED)})
        self.assertLess(len(ids), search_results(Article.objects.all(), "蝾螈").count())

    def test_tiers_title_then_heading_then_body_newest_first(self):
        ranked = search_results(Article.objects.all(), "蝾螈")[0:100]
        rows = dict(Article.objects.values_list("pk", "title"))
        headings = {a.pk: "".join(s["heading"] for s in a.sections) for a in Article.objects.all()}
        tiers = [0 if "蝾螈" in rows[pk] else 1 if "蝾螈" in headings[pk] else 2 for pk in ranked]
        self.assertEqual(tiers, sorted(tiers))
        self.assertEqual(set(tiers), {0, 1, 2})
        for tier in (0, 1, 2):
            ids = [pk for pk, t in zip(ranked, tiers) if t == tier]
            self.assertEqual(ids, sorted(ids, reverse=True))

    def test_paginator_pages_results(self):
        results = search_results(Article.objects.all(), "蝾螈")
        paginator = Paginator(results, 20)
        self.assertEqual(paginator.count, 31)
        second = paginator.get_page(2)
        self.assertEqual(list(second.object_list), results[20:31])
        self.assertEqual(len(paginator.get_page(99).object_list), 11)

    def test_count_needs_one_query_and_a_page_one_more(self):
        results = search_results(Article.objects.published(), "蝾螈")
        with self.assertNumQueries(2):
            results.count()
            results[0:20]


class TierMaintenanceTests(TestCase):
    """The title and heading tiers follow every write (SQLite keeps them in a second index)."""

    def ranked(self):
        return search_results(Article.objects.all(), "蝾螈")[0:10]

    def test_title_and_heading_edits_and_deletes_move_articles_between_tiers(self):
        body = make_article(title="甲", original_text="蝾螈。", sections=[])
        title = make_article(title="乙", original_text="蝾螈。", sections=[])
        self.assertEqual(self.ranked(), [title.pk, body.pk])  # newest first
        body.title = "蝾螈之乡"
        body.save()
        self.assertEqual(self.ranked(), [body.pk, title.pk])
        body.title = "甲"
        body.sections = [{"heading": "一、蝾螈", "paragraphs": ["蝾螈。"]}]
        body.save()
        self.assertEqual(self.ranked(), [body.pk, title.pk])
        body.delete()
        self.assertEqual(self.ranked(), [title.pk])
        self.assertEqual(search_results(Article.objects.all(), "甲").count(), 0)
