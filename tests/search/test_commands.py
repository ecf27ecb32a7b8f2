"""The benchmark command runs end to end on a tiny corpus and checks itself against the oracle."""
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from articles.models import Article
from tests.factories import make_article


class BenchSearchCommandTests(TestCase):
    def test_tiny_benchmark_reports_exact_results_and_latencies(self):
        out = StringIO()
        call_command("bench_search", articles=60, repeat=1, stdout=out)
        text = out.getvalue()
        self.assertEqual(Article.objects.count(), 60)
        self.assertIn("recall 100.00%, precision 100.00%", text)
        self.assertIn("p50 speed-up", text)
        self.assertIn("Facet maps (once per library version and process)", text)
        self.assertNotIn("✗", text)

    def test_refuses_a_database_holding_real_articles(self):
        make_article()
        with self.assertRaises(CommandError):
            call_command("bench_search", articles=10, repeat=1, stdout=StringIO())
