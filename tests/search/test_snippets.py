"""Snippets, whole-text highlighting and display terms."""
from django.test import SimpleTestCase, TestCase

from articles.models import Article
from articles.search import highlight, query_terms, snippets
from articles.text import CODE_MAP
from tests.factories import make_article


class SnippetTests(SimpleTestCase):
    TEXT = "开头无关的文字。" * 10 + "机关D建与<业务>融合。" + "中间无关。" * 20 + "开展TD日活动。"

    def test_each_term_gets_a_marked_escaped_snippet(self):
        got = snippets(self.TEXT, "党建 主题党日")
        self.assertEqual(len(got), 2)
        self.assertIn("<mark>D建</mark>与&lt;业务&gt;", got[0])
        self.assertIn("<mark>TD日</mark>", got[1])
        self.assertTrue(got[0].startswith("…"))

    def test_at_most_limit_snippets(self):
        text = "，".join(["党建"] + ["无关文字" * 40, "党建"] * 5)
        self.assertEqual(len(snippets(text, "党建", limit=3)), 3)
        self.assertEqual(snippets(text, "犰狳"), [])
        self.assertEqual(snippets(text, "*"), [])

    def test_highlight_marks_every_match_case_and_width_insensitively(self):
        self.assertEqual(
            highlight("用ＡＰＰ和app学习<D建>", "APP 党建"),
            "用<mark>ＡＰＰ</mark>和<mark>app</mark>学习&lt;<mark>D建</mark>&gt;",
        )

    def test_codes_of_one_character_per_letter_are_marked_in_place(self):
        # As long as the normalised text: marked without a character map.
        self.assertEqual(
            highlight("（一）抓D建，开展DK学习。", "党建 党课"),
            "（一）抓<mark>D建</mark>，开展<mark>DK</mark>学习。",
        )

    def test_no_code_shortens_text(self):
        # ``match_spans`` relies on it: equal lengths mean every character kept its place.
        for code, word in CODE_MAP.items():
            self.assertGreaterEqual(len(word), len(code), code)

    def test_phrase_with_separator_is_marked_whole(self):
        self.assertEqual(highlight("机关，党建。机关党建", '"机关 党建"'),
                         "<mark>机关，党建</mark>。机关党建")

    def test_query_terms_include_code_variants(self):
        self.assertEqual(query_terms("主题党日 DK"), ["主题党日", "TD日", "党课", "DK"])


class RankingTests(TestCase):
    def test_newest_first_among_equal_matches(self):
        older = make_article(title="甲", original_text="蝾螈。", sections=[])
        newer = make_article(title="乙", original_text="蝾螈。", sections=[])
        Article.objects.filter(pk=older.pk).update(published_at=newer.published_at.replace(year=2020))
        self.assertEqual(list(Article.objects.search("蝾螈").values_list("pk", flat=True)),
                         [newer.pk, older.pk])

    def test_title_match_beats_many_body_matches(self):
        body = make_article(title="乙", original_text="蝾螈，" * 30, sections=[])
        title = make_article(title="蝾螈保护", original_text="正文。", sections=[])
        ranked = list(Article.objects.search("蝾螈"))
        self.assertEqual([a.pk for a in ranked], [title.pk, body.pk])
        self.assertGreater(ranked[0].search_rank, ranked[1].search_rank)
