"""The code mapping the importer relies on (articles/text.py): only code letters next to Han
characters are restored; Latin abbreviations and placeholders stay."""
from django.test import SimpleTestCase

from articles.text import placeholder_spans, restore_codes


class RestoreCodesTests(SimpleTestCase):
    def test_codes_next_to_han_are_restored(self):
        cases = {
            "D建": "党建", "D组": "党组", "D员": "党员", "D风": "党风", "讲DK2次": "讲党课2次",
            "TD日": "主题党日", "以T教育": "以主题教育", "全面从严治D。": "全面从严治党。",
        }
        for coded, restored in cases.items():
            with self.subTest(coded=coded):
                self.assertEqual(restore_codes(coded), restored)

    def test_other_capitals_stay(self):
        for text in ("配备AED急救箱", "借助BIM技术", "学习强国APP", "AAA公众号", "DKA建", "KD建",
                     "abcD建", "PPT设计", "D", "2023 D 2024"):
            with self.subTest(text=text):
                self.assertEqual(restore_codes(text), text)

    def test_placeholders_are_found(self):
        text = "XX市审计局查出问题金额XX亿元，通过AAA公众号公开"
        self.assertEqual([text[a:b] for a, b in placeholder_spans(text)], ["XX", "XX", "AAA"])
