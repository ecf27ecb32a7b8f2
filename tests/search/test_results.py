"""search_results: counts and ranked pages from the index alone, for every reader's scope.

The count and the ids of every page must equal the order built independently from the
tiered QuerySet (which joins every match with its article) and each article's score over the
oracle's skeleton text, for the editors' scope (all articles), the public scope (drafts and
articles of unpublished compilations hidden) and a filtered scope.
"""
from unittest import mock

from django.core.paginator import Paginator
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Status
from articles.reading import listable
from articles.search import AUTO, Scope, backend, parse, search_articles, search_results
from articles.search.ranking import RANK_WINDOW, fields_text, score
from articles.search.scope import parts
from tests.factories import make_agency, make_article, make_compilation


def article_score(pk, q):
    title, sections, text = Article.objects.values_list("title", "sections", "text").get(pk=pk)
    atoms = parse(q).atoms
    return score(fields_text(title, sections, text, atoms), atoms)


def expected_order(queryset, q):
    """Tier by tier (the ranked QuerySet), the first ``RANK_WINDOW`` of a tier best scored
    first, then newest first."""
    rows = search_articles(queryset, q).values_list("search_rank", "pk")
    out = []
    for rank in (2, 1, 0):
        ids = [pk for r, pk in rows if r == rank]
        window = sorted(ids[:RANK_WINDOW], key=lambda pk: (article_score(pk, q), pk), reverse=True)
        out += window + ids[RANK_WINDOW:]
    return out


# Terms the grams cannot decide on PostgreSQL (a phrase across punctuation, a term longer than
# six characters): their matches are checked on positions once, for the count, and the page
# is tiered from those ids; in the body, a heading, and with a short term in the title.
POSITIONAL = ('"处，另有鲵"', '"一、蝾螈调查"', '蝾螈 "处，另有鲵"', "本地发现蝾螈1处")
# Queries whose every match has a term in its title (``ParsedQuery.title_bound``: the engines
# tier them at once), and ones that look alike but are not.
TITLE_BOUND = ("intitle:蝾螈", "intitle:蝾螈 鲵", "intitle:蝾螈 | intitle:生态", "intitle:蝾螈 -调查")
NOT_TITLE_BOUND = ("intitle:蝾螈 | 鲵", "-intitle:蝾螈 鲵")


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
        """name: (scope, filters, the same articles as a QuerySet). No article here is
        members-only, so the public and member scopes hold the same articles."""
        published = Article.objects.published()
        return {
            "all": (Scope.EDITOR, None, Article.objects.all()),
            "published": (Scope.MEMBER, None, published),
            "listable": (Scope.PUBLIC, None, listable(None)),
            "filtered": (Scope.MEMBER, published.filter(agency=self.agency),
                         published.filter(agency=self.agency)),
            "filtered-public": (Scope.PUBLIC, listable(None).filter(agency=self.agency),
                                published.filter(agency=self.agency)),
            "editor-filtered": (Scope.EDITOR, Article.objects.filter(agency=self.agency),
                                Article.objects.filter(agency=self.agency)),
            "empty": (Scope.EDITOR, Article.objects.none(), Article.objects.none()),
        }

    def test_count_and_pages_equal_the_ranked_queryset(self):
        for name, (scope, filters, queryset) in self.scopes().items():
            for q in ("蝾螈", "蝾螈 鲵", "鲵", "蝾", "无关", "犰狳", *POSITIONAL, *TITLE_BOUND,
                      *NOT_TITLE_BOUND):
                with self.subTest(scope=name, q=q):
                    expected = expected_order(queryset, q)
                    results = search_results(q, scope, filters)
                    self.assertEqual(results.count(), len(expected))
                    pages = [results[start:start + 7] for start in range(0, 40, 7)]
                    self.assertEqual([pk for page in pages for pk in page], expected)

    def test_whether_anything_matches_agrees_with_the_count(self):
        engine = backend()
        for name, (scope, filters, _queryset) in self.scopes().items():
            for q in ("蝾螈", "鲵", "犰狳", "蝾螈 -鲵", *POSITIONAL, *TITLE_BOUND):
                parsed = parse(q)
                for part in parts(scope, filters, full_text=engine.full_text_parts):
                    with self.subTest(scope=name, q=q, part=part.index):
                        found = engine.exists(parsed, part)
                        if found is not None:  # None: the engine counts instead
                            self.assertEqual(found, engine.count(parsed, part) > 0)
        # Deciding whether to fall back to loose matching needs no count where the engine
        # can tell (SQLite: FTS5 stops at the first match).
        with CaptureQueriesContext(connection) as deciding:
            results = search_results("蝾螈调查", Scope.MEMBER, match=AUTO)
            self.assertEqual(results.match, "exact")
        if connection.vendor == "sqlite":
            counts = [q["sql"] for q in deciding.captured_queries if "count(" in q["sql"]]
            self.assertEqual(counts, [])

    def test_a_page_that_reads_the_ids_first_settles_auto_with_them_and_counts_nothing(self):
        # The search page's facet counts fetch every matching id: whether anything matches
        # exactly is answered by them, not by a count (or an existence test) before them.
        engine = type(backend())
        for q in ("蝾螈", "蝾螈调查", "犰狳", "蝾螈 -鲵"):
            with self.subTest(q=q), \
                    mock.patch.object(engine, "count", side_effect=AssertionError("count")), \
                    mock.patch.object(engine, "exists", side_effect=AssertionError("exists")):
                results = search_results(q, Scope.PUBLIC, match=AUTO)
                ids = results.match_ids()
                self.assertEqual(results.count(), len(ids))
                self.assertEqual(set(results[0:len(ids) + 5]), set(ids))
                self.assertEqual(results.match, "exact" if ids else "loose")
            settled = search_results(q, Scope.PUBLIC, match=results.match)
            self.assertEqual(set(ids), set(settled.match_ids()))

    def test_a_filter_that_cannot_be_combined_is_read_as_a_subquery(self):
        # The filter and the published rule are read as one query where Django can combine
        # them; a distinct queryset cannot be, and narrows the same.
        filters = Article.objects.filter(agency=self.agency)
        combined = search_results("蝾螈", Scope.PUBLIC, filters)
        distinct = search_results("蝾螈", Scope.PUBLIC, filters.distinct())
        self.assertEqual(set(distinct.match_ids()), set(combined.match_ids()))
        self.assertEqual(distinct.count(), combined.count())
        self.assertLess(combined.count(), search_results("蝾螈", Scope.EDITOR, filters).count())

    def test_a_filter_is_read_once_per_search_not_in_every_statement(self):
        published = Article.objects.published()
        with CaptureQueriesContext(connection) as queries:
            results = search_results("蝾螈", Scope.PUBLIC, published.filter(agency=self.agency))
            results.count()
            results[0:10]
            results.match_ids()
        reading = [q["sql"] for q in queries.captured_queries if "agency_id" in q["sql"]]
        self.assertEqual(len(reading), 1, reading)
        self.assertGreater(len(queries), 3)
        # …and SQLite's FTS5 is never handed the ids (it would look each up in the query's
        # lists, one by one).
        self.assertFalse([q["sql"] for q in queries.captured_queries
                          if "rowid IN (" in q["sql"] or "rowid NOT IN (" in q["sql"]])

    def test_title_bound_queries_are_told_apart(self):
        self.assertEqual([parse(q).title_bound for q in TITLE_BOUND], [True] * len(TITLE_BOUND))
        self.assertEqual([parse(q).title_bound for q in NOT_TITLE_BOUND + ("蝾螈",)],
                         [False] * (len(NOT_TITLE_BOUND) + 1))

    def test_every_plan_of_large_result_sets_gives_the_same_pages(self):
        # PostgreSQL tiers small result sets at once, large ones tier by tier from the grams
        # or the positions, the body tier of a very common term by walking the newest
        # articles: force each plan on this small library (SQLite has one plan).
        from articles.search import postgres

        probe = postgres._recent_tiers
        tier_by_tier = {"RANK_ALL_MAX": 0, "RANK_ALL_POSITIONS_MAX": 0}
        walking = {**tier_by_tier, "WALK_MIN": 0}
        plans = (
            tier_by_tier, walking,
            # the newest articles hold some of a page's titles and headings, not all
            {**walking, "RECENT_ROWS": 12},
            # they hold the title tier, not the heading tier, and the other way round
            {**walking, "_recent_tiers": lambda *args: (probe(*args)[0], None)},
            {**walking, "_recent_tiers": lambda *args: (None, probe(*args)[1])},
        )
        # SQLite checks a complex query's title and heading tiers on their candidates from
        # the small index when there are few, otherwise in the full index: both, and both
        # in one query.
        for few in (0, 2):
            with self.subTest(few_candidates=few), \
                    mock.patch("articles.search.sqlite.FEW_CANDIDATES", few):
                self.test_count_and_pages_equal_the_ranked_queryset()
        for plan in plans:
            with self.subTest(plan=plan), mock.patch.multiple("articles.search.postgres", **plan):
                self.test_count_and_pages_equal_the_ranked_queryset()
                # pages shorter than the titles and headings among the newest articles
                with mock.patch("articles.search.RANK_WINDOW", 3), \
                        mock.patch("tests.search.test_results.RANK_WINDOW", 3):
                    self.test_count_and_pages_equal_the_ranked_queryset()

    def test_public_scope_hides_drafts_and_unpublished_compilations(self):
        ids = set(search_results("蝾螈", Scope.PUBLIC)[0:100])
        statuses = set(
            Article.objects.filter(pk__in=ids).values_list("status", "compilation__status")
        )
        self.assertEqual(statuses, {(Status.PUBLISHED, Status.PUBLISHED)})
        self.assertLess(len(ids), search_results("蝾螈").count())

    def test_tiers_title_then_heading_then_body_more_matches_first(self):
        ranked = search_results("蝾螈")[0:100]
        rows = dict(Article.objects.values_list("pk", "title"))
        headings = {a.pk: "".join(s["heading"] for s in a.sections) for a in Article.objects.all()}
        tiers = [0 if "蝾螈" in rows[pk] else 1 if "蝾螈" in headings[pk] else 2 for pk in ranked]
        self.assertEqual(tiers, sorted(tiers))
        self.assertEqual(set(tiers), {0, 1, 2})
        for tier in (0, 1, 2):
            ids = [pk for pk, t in zip(ranked, tiers) if t == tier]
            keys = [(article_score(pk, "蝾螈"), pk) for pk in ids]
            self.assertEqual(keys, sorted(keys, reverse=True))
        # the fixture has ties and differences: both rules are exercised
        counts = [article_score(pk, "蝾螈")[1] for pk in ranked]
        self.assertGreater(len(set(counts)), 1)
        self.assertGreater(len(counts), len(set(counts)))

    def test_paginator_pages_results(self):
        results = search_results("蝾螈")
        paginator = Paginator(results, 20)
        self.assertEqual(paginator.count, 31)
        second = paginator.get_page(2)
        self.assertEqual(list(second.object_list), results[20:31])
        self.assertEqual(len(paginator.get_page(99).object_list), 11)

    def test_count_needs_one_query_and_a_page_a_few_more(self):
        # SQLite: the page's ids in one query, then the texts of the windows it reaches.
        # PostgreSQL: a query or two per tier (newest ids, then which of them belong to a
        # higher tier), whatever the page size.
        results = search_results("蝾螈", Scope.MEMBER)
        with CaptureQueriesContext(connection) as counting:
            results.count()
        # SQLite: one query per partition (ordinary, members-only articles); PostgreSQL: one
        # query, with the planner settings set before and reset after.
        self.assertEqual(len(counting), 2 if connection.vendor == "sqlite" else 3)
        # The public scope: the members-only articles' previews instead of their text, one
        # query more on PostgreSQL, the same number on SQLite.
        with CaptureQueriesContext(connection) as public:
            search_results("蝾螈", Scope.PUBLIC).count()
        self.assertEqual(len(public), len(counting) + (connection.vendor != "sqlite"))
        for rank_all_max in (500, 0):  # PostgreSQL: all matches at once, or tier by tier
            with mock.patch.multiple("articles.search.postgres", RANK_ALL_MAX=rank_all_max,
                                     RANK_ALL_POSITIONS_MAX=rank_all_max):
                with CaptureQueriesContext(connection) as page:
                    results[0:20]
                self.assertLessEqual(len(page), 4 if connection.vendor == "sqlite" else 10)
                with CaptureQueriesContext(connection) as long_page:
                    results[0:200]
                self.assertEqual(len(long_page), len(page))


class TierMaintenanceTests(TestCase):
    """The title and heading tiers follow every write (SQLite keeps them in a second index)."""

    def ranked(self):
        return search_results("蝾螈")[0:10]

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
        self.assertEqual(search_results("甲").count(), 0)
