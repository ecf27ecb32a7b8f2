"""Search never reveals members-only text by matching it.

For every scope there is an oracle: editors match every article on its full text, members
the published ones, the public (anonymous readers and signed-in non-members) the published
ones, members-only articles on their title and free preview alone. Queries of every kind,
many drawn from the text past the previews (where a leak would show), must give exactly the
oracle's set, in the engine and over HTTP (``total`` and result ids), on both databases.
"""
import random

from django.test import TestCase
from django.urls import reverse

from articles.models import Article, Status
from articles.benchmarks import synthetic
from articles.search import Scope, parse, search_results
from articles.search.documents import ROW_COLUMNS, Row, full_fields, preview_fields
from articles.search.tokenise import normalise, skeleton
from articles.text import TEASER_CHARS
from tests.factories import make_article, make_compilation, make_user

FIXED = ["党建", "机关", "模范机关", "清廉 档案", '"取得明显成效"', "四点聚力", "D建", "党", "效能",
         "犰狳", "建设 工作 管理", "党建 | 档案", "机关 -党建", "intitle:工作", "intitle:建设 | 养老"]


def skeletons(fields):
    return [skeleton(normalise(f)) for f in fields]


def matches(fields, q):
    return parse(q).matches(fields)


class ScopeOracleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        shown = make_compilation()
        hidden = make_compilation(status=Status.DRAFT)
        rng = random.Random(11)
        for n, data in enumerate(synthetic.articles(3, 120, target_chars=500), start=1):
            make_article(
                compilation=hidden if n % 17 == 0 else shown, position=n,
                status=Status.DRAFT if n % 13 == 0 else Status.PUBLISHED,
                members_only=rng.random() < 0.4, **data,
            )
        cls.member = make_user("会员老王", group="会员")
        cls.reader = make_user("读者小张")
        cls.editor = make_user("编辑小刘", group="编辑", staff=True)

    def setUp(self):
        self.rows = [Row(*values) for values in Article.objects.values_list(*ROW_COLUMNS)]
        published = set(Article.objects.published().values_list("pk", flat=True))
        self.docs = {
            Scope.EDITOR: [(row.pk, skeletons(full_fields(row))) for row in self.rows],
            Scope.MEMBER: [(row.pk, skeletons(full_fields(row)))
                           for row in self.rows if row.pk in published],
            Scope.PUBLIC: [(row.pk, skeletons(preview_fields(row) or full_fields(row)))
                           for row in self.rows if row.pk in published],
        }

    def oracle(self, scope, q):
        return {pk for pk, fields in self.docs[scope] if matches(fields, q)}

    def hidden_queries(self, count=60):
        """Terms and phrases from the body and headings of members-only articles, past their
        free preview: what a leak would let the public find."""
        rng = random.Random(5)
        out = []
        members = [row for row in self.rows if row.members_only]
        while len(out) < count:
            row = rng.choice(members)
            body = row.text[TEASER_CHARS + 10:]
            headings = [s["heading"] for s in row.sections if s.get("heading")]
            source = rng.choice([body, body, *(headings or [body])])
            if len(source) < 14:
                continue
            size = rng.choice([2, 3, 4, 6, 8, 12])
            start = rng.randrange(0, len(source) - size)
            piece = source[start:start + size].strip()
            if not parse(piece):
                continue
            out.append(rng.choice([piece, f'"{piece}"', f"{piece} 工作", f"{piece} | 犰狳",
                                   f"{piece} -犰狳", f"intitle:工作 | {piece}"]))
        return out

    def test_every_scope_equals_its_oracle(self):
        for q in FIXED + self.hidden_queries():
            for scope in Scope:
                with self.subTest(q=q, scope=scope.value):
                    expected = self.oracle(scope, q)
                    results = search_results(q, scope)
                    self.assertEqual(results.count(), len(expected))
                    self.assertEqual(set(results.match_ids()), expected)
                    self.assertEqual(set(results[0:len(expected) + 5]), expected)
                    self.assertEqual(set(results.matches().values_list("pk", flat=True)),
                                     expected)

    def test_hidden_text_finds_members_only_articles_for_members_only(self):
        leaks = tried = 0
        for q in self.hidden_queries(120):
            public = set(search_results(q, Scope.PUBLIC).match_ids())
            member = set(search_results(q, Scope.MEMBER).match_ids())
            for pk in member - public:
                row = next(r for r in self.rows if r.pk == pk)
                self.assertTrue(row.members_only, q)
                tried += 1
            for pk in public:
                row = next(r for r in self.rows if r.pk == pk)
                if row.members_only and not matches(skeletons(preview_fields(row)), q):
                    leaks += 1
        self.assertEqual(leaks, 0)
        self.assertGreater(tried, 30)  # the queries did reach hidden text

    def test_http_totals_and_ids_obey_the_scope(self):
        api, page = reverse("api:search"), reverse("articles:search")
        users = [(None, Scope.PUBLIC), (self.reader, Scope.PUBLIC),
                 (self.member, Scope.MEMBER), (self.editor, Scope.EDITOR)]
        for q in FIXED[:6] + self.hidden_queries(20):
            for user, scope in users:
                with self.subTest(q=q, user=str(user)):
                    self.client.logout()
                    if user:
                        self.client.force_login(user)
                    expected = self.oracle(scope, q)
                    data = self.client.get(api, {"q": q}).json()
                    self.assertEqual(data["total"], len(expected))
                    self.assertLessEqual({r["id"] for r in data["results"]}, expected)
                    # The page's total and facet counts come from the same matches.
                    response = self.client.get(page, {"q": q, "sort": "date"})
                    self.assertEqual(response.context["total"], len(expected))
                    if expected:
                        years = response.context["facet_counts"]["year"]
                        self.assertLessEqual(sum(c for _v, _l, c in years), len(expected))
