"""The score that orders each tier's window: closeness, then occurrences."""
from django.test import SimpleTestCase

from articles.search import parse
from articles.search.ranking import COUNT_CAP, FAR, NEAR, fields_text, score


def scored(text, q):
    atoms = parse(q).atoms
    return score(fields_text("", [], text, atoms), atoms)


class ScoreTests(SimpleTestCase):
    def test_occurrences_are_counted_per_term_up_to_a_cap(self):
        self.assertEqual(scored("蝾螈，蝾螈，蝾螈。", "蝾螈"), (0, 3))
        self.assertEqual(scored("蝾螈" * (COUNT_CAP + 5), "蝾螈"), (0, COUNT_CAP))
        self.assertEqual(scored("D建与党建", "党建"), (0, 2))  # codes count as their words
        self.assertEqual(scored("无关", "蝾螈"), (0, 0))

    def test_closeness_needs_every_term_and_grows_as_they_come_together(self):
        self.assertEqual(scored("蝾螈与鲵。", "蝾螈 鲵")[0], 2)
        self.assertEqual(scored("蝾螈" + "文" * (NEAR + 10) + "鲵", "蝾螈 鲵")[0], 1)
        self.assertEqual(scored("蝾螈" + "文" * (FAR + 10) + "鲵", "蝾螈 鲵")[0], 0)
        self.assertEqual(scored("只有蝾螈", "蝾螈 鲵")[0], 0)

    def test_the_closest_pair_of_occurrences_counts(self):
        far_then_near = "蝾螈" + "文" * 200 + "鲵" + "文" * 200 + "蝾螈鲵"
        self.assertEqual(scored(far_then_near, "蝾螈 鲵"), (2, 4))  # 2 + 2 occurrences

    def test_phrases_with_separators_match_across_punctuation(self):
        self.assertEqual(scored("机关，党建。机关党建", '"机关，党建"'), (0, 1))
        self.assertEqual(scored("机关，党建。机关党建", "机关党建"), (0, 1))

    def test_title_headings_and_body_are_read_and_never_joined(self):
        atoms = parse("蝾螈").atoms
        text = fields_text("蝾螈保护", [{"heading": "一、蝾螈", "paragraphs": []}], "螈蝾螈", atoms)
        self.assertEqual(score(text, atoms), (0, 3))
        atoms = parse("护一").atoms  # the end of the title and the start of a heading
        self.assertEqual(score(fields_text("蝾螈保护", [{"heading": "一、蝾螈"}], "", atoms), atoms),
                         (0, 0))
