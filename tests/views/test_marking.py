"""Marking article text: placeholders and search terms, escaped, never broken HTML."""
from django.test import SimpleTestCase

from articles.templatetags.reader import marked_text


class MarkedTextTests(SimpleTestCase):
    def test_placeholders_are_marked(self):
        html = marked_text("XX市民政局和AAA公众号")
        self.assertEqual(html.count('<mark class="placeholder"'), 2)
        self.assertIn(">XX</mark>市民政局", html)

    def test_terms_are_marked_and_text_escaped(self):
        html = marked_text("推进党建<工作>", ["党建"])
        self.assertEqual(html, '推进<mark class="hl">党建</mark>&lt;工作&gt;')

    def test_overlapping_marks_nest_cleanly(self):
        html = marked_text("XX市", ["X市"])
        self.assertEqual(html.count("<mark"), html.count("</mark>"))
        self.assertNotIn("<mark><mark", html)

    def test_term_with_markup_is_escaped(self):
        self.assertNotIn("<script>", marked_text("a<script>b", ["<script>"]))
