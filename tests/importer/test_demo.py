"""The demo corpus (articles/demo/) that setup_demo imports: every file imports cleanly."""
from pathlib import Path

from django.test import TestCase

from articles.importer import import_compilation, parse_file
from articles.models import Article

DEMO = Path(__file__).resolve().parents[2] / "articles" / "demo"


class DemoCorpusTests(TestCase):
    def test_every_demo_file_parses_with_agency_headings_and_initiatives(self):
        paths = sorted(DEMO.glob("*.txt"))
        self.assertGreaterEqual(len(paths), 2)
        for path in paths:
            with self.subTest(path=path.name):
                parsed = parse_file(path)
                self.assertTrue(3 <= len(parsed.articles) <= 6)
                self.assertTrue(parsed.toc)
                self.assertTrue(any(a.members_only for a in parsed.articles))
                for article in parsed.articles:
                    self.assertTrue(article.agency, article.title)
                    self.assertGreaterEqual(len(article.headings), 2, article.title)
                    self.assertNotIn("客服", article.original_text)

    def test_demo_files_import_and_publish(self):
        for path in sorted(DEMO.glob("*.txt")):
            result = import_compilation(path, publish=True)
            self.assertEqual(result.status, "created")
        self.assertGreaterEqual(Article.objects.published().count(), 10)
        self.assertTrue(Article.objects.published().search("党建").exists())
