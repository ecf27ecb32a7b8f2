"""The tokeniser and the query parser: pure functions, no database."""
from django.test import SimpleTestCase

from articles.search.query import MAX_QUERY_CHARS, parse
from articles.search.tokenise import atom_tokens, normalise, normalise_with_map, tokens


class NormaliseTests(SimpleTestCase):
    def test_codes_are_restored_width_folded_and_letters_lowered(self):
        # Full-width letters and digits are folded; punctuation, which separates runs either
        # way, keeps its place and form.
        self.assertEqual(normalise("机关D建，ＡＰＰ平台２期，TD日"), "机关党建，app平台2期，主题党日")

    def test_map_points_back_into_the_displayed_text(self):
        text = "以T教育"
        norm, index = normalise_with_map(text)
        self.assertEqual(norm, "以主题教育")
        self.assertEqual([text[i] for i in index], ["以", "T", "T", "教", "育"])


class TokenTests(SimpleTestCase):
    def test_one_token_per_character_bigrams_then_run_end(self):
        self.assertEqual(tokens("机关党建"), ["机关", "关党", "党建", "建"])

    def test_separators_end_runs_and_no_bigram_spans_them(self):
        self.assertEqual(tokens("党建，APP"), ["党建", "建", "ap", "pp", "p"])

    def test_atom_of_one_character_is_a_prefix(self):
        self.assertEqual(atom_tokens(("党",)), (["党"], True))

    def test_phrase_with_separator_requires_a_run_end(self):
        self.assertEqual(atom_tokens(("机关", "党建")), (["机关", "关", "党建"], False))


class ParseTests(SimpleTestCase):
    def test_terms_split_on_spaces_and_punctuation(self):
        self.assertEqual(parse("党建 信访，档案").atoms, (("党建",), ("信访",), ("档案",)))

    def test_quoted_phrase_is_one_atom(self):
        self.assertEqual(parse("“机关，党建” 作风").atoms, (("机关", "党建"), ("作风",)))

    def test_codes_in_the_query_are_restored_even_alone(self):
        self.assertEqual(parse("DK D建 TD日").atoms, (("党课",), ("党建",), ("主题党日",)))

    def test_latin_words_that_are_not_codes_stay_latin(self):
        self.assertEqual(parse("APP ＡＥＤ").atoms, (("app",), ("aed",)))

    def test_fts_and_sql_syntax_become_plain_words_or_nothing(self):
        self.assertEqual(parse('NEAR(党建 OR "作风').atoms, (("near",), ("党建",), ("or",), ("作风",)))
        for q in ("*", '"', ":", "——", "", None, "   ", "!!!"):
            self.assertFalse(parse(q), q)

    def test_overlong_query_is_cut(self):
        parsed = parse("机" * 500)
        self.assertLessEqual(sum(len(r) for a in parsed.atoms for r in a), MAX_QUERY_CHARS)
