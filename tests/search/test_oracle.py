"""Search finds exactly what a brute-force substring test over the restored text finds.

A few hundred generated articles (``articles.benchmarks.synthetic``) plus hand-written ones with
the genre's quirks; queries of every kind, fixed and drawn from the texts themselves. Runs on
whichever database the suite runs on (SQLite FTS5 or PostgreSQL GIN).
"""
import random

from django.test import TestCase

from articles.models import Article
from articles.benchmarks import synthetic
from articles.search import parse, search_results
from articles.search.tokenise import document_fields, normalise, skeleton
from tests.factories import make_article, make_compilation

HAND_WRITTEN = [
    ("以T教育深化“六型”机关建设", "一、D建引领\n机关D建提质增效，开展TD日活动，讲DK三次。"),
    ("县委组织部：ＡＰＰ平台上线", "依托学习强国APP平台学习；配置AED+培训。2023年共12次。"),
    ("交通局党建工作", "机关，党建工作并重。XX市AAA公众号发布。"),
    ("市民政局“四点聚力”", "党课、主题党日和党建品牌；Ｄ建不是代码。D 建也不是。"),
    ("无关标题", "犰狳与鹳雀楼——罕见。Zeta计划（QX-77型）。"),
    ("压责固廉、教育引廉", "推动学习入“脑”入“心”，压责固廉、教育引廉，机关，党建。"),
]
FIXED_QUERIES = [
    "党", "建", "效", "犰", "机关", "党建", "党课", "主题", "机关党建", "党建工作", "D建", "TD日",
    "DK", "主题党日", "T教育", "APP", "ＡＰＰ", "app", "aed", "2023", "２０２３年", "77型",
    "qx-77", '"机关，党建"', '"机关 党建"', "“四点聚力”", "党建 机关", "党建 犰狳", "清廉 作风 档案",
    "NEAR(党建", "党建 OR 作风", "*", '"', ":", "党建*", '"未闭合', "；；", "SELECT * FROM x;--",
    "xx市", "AAA", "犰狳与鹳雀楼", "鹳雀楼——罕见", "机关" * 60,
]
# Punctuation-blind: the text has 入“脑”入“心”, 压责固廉、教育引廉, 机关，党建.
LOOSE_QUERIES = ["入脑入心", "压责固廉教育引廉", "机关党建", "工作机关", '"入脑 入心"', "脑入", "效开展",
                 "入脑入心 -压责", "intitle:廉教育", "压责固廉教育引廉 | 犰狳", "共12次", "app平台"]
# Operators as Baidu's users type them, and malformed ones (searched literally).
OPERATOR_QUERIES = [
    "党建 | 犰狳", "党建｜犰狳", "党建|作风|犰狳", "党建 | 作风 机关", "党建 -作风", "党建 -犰狳", "机关 -党",
    "intitle:党建", "intitle：党建", 'intitle:"四点聚力"', "intitle:犰狳 | 党建", "党建 -intitle:党建",
    '"机关，党建" -作风', "-党建", "-", "--", "|", "| 党建 |", "党建 - 作风", "intitle:", 'intitle:""',
    "-intitle:", "党建 -机关党建提质增效", "intitle:鹳雀楼 | 犰狳与鹳雀楼", "DK | TD日", "-D建 主题",
    "app | aed -2023", "qx-77 | zeta", "机关 | 党 | 效 | 犰", '党建 -"机关，党建"',
]


def oracle(docs, q):
    """Ids of the articles whose restored, folded title, headings and body satisfy the query:
    every required term a substring of a field's skeleton (of the title, for intitle:), some
    term of each OR, no excluded one (``ParsedQuery.matches``)."""
    parsed = parse(q)
    return {pk for pk, fields in docs if parsed.matches(fields)}


class OracleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        compilation = make_compilation()
        position = 0
        for position, data in enumerate(synthetic.articles(7, 250, target_chars=250), start=1):
            make_article(compilation=compilation, position=position, **data)
        for title, body in HAND_WRITTEN:
            position += 1
            make_article(compilation=compilation, position=position, title=title,
                         original_text=body, sections=[{"heading": "一、D建引领", "paragraphs": []}])

    def setUp(self):
        self.docs = []
        for pk, title, sections, text in Article.objects.values_list(
            "pk", "title", "sections", "text"
        ):
            self.docs.append((pk, [skeleton(normalise(f))
                                   for f in document_fields(title, sections, text)]))

    def assertExact(self, q):
        found = set(Article.objects.search(q).values_list("pk", flat=True))
        expected = oracle(self.docs, q)
        self.assertEqual(found, expected, f"query {q!r}: {len(found)} found, {len(expected)} expected")
        results = search_results(q)
        ranked = results[0:len(expected) + 5]
        self.assertEqual((results.count(), len(ranked), set(ranked)),
                         (len(expected), len(expected), expected), q)
        return expected

    def test_fixed_queries_of_every_kind_match_the_oracle(self):
        hits = [len(self.assertExact(q)) for q in FIXED_QUERIES]
        self.assertGreater(sum(1 for n in hits if n), 25)  # the fixture really exercises them

    def test_operators_match_the_oracle(self):
        hits = [len(self.assertExact(q)) for q in OPERATOR_QUERIES]
        self.assertGreater(sum(1 for n in hits if n), 15)

    def test_operators_on_terms_drawn_from_the_texts_match_the_oracle(self):
        rng = random.Random(23)
        rows = list(Article.objects.values_list("title", "text"))
        for _ in range(120):
            title, text = rng.choice(rows)
            words = []
            for _n in range(rng.choice([2, 2, 3])):
                source = normalise(rng.choice([title, text, text]))
                size = rng.choice([1, 2, 2, 3, 4, 7])
                start = rng.randrange(max(1, len(source) - size))
                words.append(source[start:start + size])
            op = rng.choice(["|", "-", "intitle:", "-intitle:", " ", '"'])
            if op == "|":
                q = " | ".join(words)
            elif op == '"':
                q = f'"{words[0]}" -"{words[1]}"'
            else:
                q = f"{words[0]} {op}{words[1]}" + (f" {words[2]}" if len(words) > 2 else "")
            self.assertExact(q)

    def test_punctuation_blind_matching_equals_its_own_oracle(self):
        hits = 0
        for q in FIXED_QUERIES + OPERATOR_QUERIES + LOOSE_QUERIES:
            with self.subTest(q=q):
                parsed = parse(q).loosened()
                expected = {pk for pk, fields in self.docs if parsed.matches(fields)}
                results = search_results(q, match="loose")
                self.assertEqual(results.match, "loose")
                ranked = results[0:len(expected) + 5]
                self.assertEqual((results.count(), set(ranked), len(ranked)),
                                 (len(expected), expected, len(expected)))
                self.assertEqual(set(results.matches().values_list("pk", flat=True)), expected)
                hits += bool(expected)
        self.assertGreater(hits, 30)

    def test_loose_is_the_fallback_when_nothing_matches_exactly(self):
        exact = search_results("党建", match="auto")
        self.assertEqual(exact.match, "exact")
        self.assertEqual(exact.count(), len(oracle(self.docs, "党建")))
        fallback = search_results("压责固廉教育引廉", match="auto")  # written 压责固廉、教育引廉
        loose = parse("压责固廉教育引廉").loosened()
        self.assertEqual(fallback.match, "loose")
        self.assertTrue(fallback.match_ids())
        self.assertEqual(set(fallback.match_ids()),
                         {pk for pk, fields in self.docs if loose.matches(fields)})
        # A page with facet counts asks for the ids first: they settle the mode as well.
        ids_first = search_results("压责固廉教育引廉", match="auto")
        self.assertEqual(set(ids_first.match_ids()), set(fallback.match_ids()))
        self.assertEqual(ids_first.match, "loose")
        ids_first = search_results("党建", match="auto")
        self.assertEqual(set(ids_first.match_ids()), set(oracle(self.docs, "党建")))
        self.assertEqual(ids_first.match, "exact")
        nothing = search_results("犰狳鹳雀", match="auto")
        self.assertEqual((nothing.match, nothing.count()), ("loose", 0))

    def test_substrings_drawn_from_the_texts_match_the_oracle(self):
        rng = random.Random(11)
        texts = [normalise(t) for t in Article.objects.values_list("text", flat=True)]
        for _ in range(120):
            text = rng.choice(texts)
            size = rng.choice([1, 1, 2, 2, 2, 3, 4, 6])
            start = rng.randrange(max(1, len(text) - size))
            q = text[start:start + size]
            if rng.random() < 0.2:
                q = f'"{q}"'
            elif rng.random() < 0.3:
                q = q + " " + rng.choice(texts)[:2]
            self.assertExact(q)

    def test_single_terms_equal_a_plain_substring_test(self):
        plain = {pk: normalise(f"{t}\n{h}\n{b}") for pk, t, h, b in (
            (pk, title, "\n".join(s.get("heading", "") for s in sections), text)
            for pk, title, sections, text in Article.objects.values_list(
                "pk", "title", "sections", "text"))}
        for term in ("党建", "主题党日", "党", "机关建设", "app", "犰狳"):
            expected = {pk for pk, text in plain.items() if term in text}
            self.assertEqual(set(Article.objects.search(term).values_list("pk", flat=True)),
                             expected, term)
