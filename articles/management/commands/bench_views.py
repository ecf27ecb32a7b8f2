"""Time the reader pages at library scale: median and p95 server time per page kind.

Builds (once; reused when present) the deterministic corpus of ``articles.benchmarks.corpus``
in the database of ``DATABASE_URL`` — use a database of its own, since building replaces
every article — then requests pages through Django's test client (the whole request: URL
resolution, middleware, views, queries, templates) with DEBUG off, as an anonymous reader.

Facet counts are cached (``articles.facets``): “warm” figures are what readers get between
two writes; “cold” ones clear the cache before every request (the first reader after a write).
Both clear the anonymous readers' page cache (``articles.pagecache``) before every request,
so they time the view; “page” is the same URL asked again, served whole from that cache.
"""
import gc
import os
import platform
import random
import statistics
import time

from django.core.cache import cache, caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from articles.benchmarks import corpus
from articles.benchmarks.stats import percentile
from articles.models import Agency, Article, Compilation, Initiative, Status, Theme


class Command(BaseCommand):
    help = "Benchmark the reader pages (list with facets, article, compilation, search) at scale."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000,
                            help="Corpus size (default 100000).")
        parser.add_argument("--seed", type=int, default=20261125, help="Corpus seed.")
        parser.add_argument("--requests", type=int, default=60,
                            help="Timed requests per page kind and cache state (default 60).")
        parser.add_argument("--rebuild", action="store_true",
                            help="Rebuild the corpus even when it is present.")
        parser.add_argument("--only", default="",
                            help="Comma-separated page kinds to time: list, list-filtered, article, compilation, "
                                 "search, home, agencies (default: all).")

    def handle(self, *args, articles, seed, requests, rebuild, only, **options):
        if articles < 1 or requests < 1:
            raise CommandError("--articles and --requests must be positive.")
        if rebuild or not corpus.present(count=articles, seed=seed):
            if Article.objects.exists() and not Compilation.objects.filter(
                title__startswith=corpus.MARKER
            ).exists():
                raise CommandError("This database holds real articles: use a database of its own.")
            self.stdout.write(f"Building a corpus of {articles:,} articles (seed {seed})…")
            corpus.build(count=articles, seed=seed, stdout=self.stdout)
        self.rng = random.Random(seed)
        self.client = Client()
        gc.freeze()  # as compilation/wsgi.py does at startup
        kinds = self.kinds()
        wanted = [k for k in only.split(",") if k] or list(kinds)
        self.stdout.write(self.header())
        self.stdout.write(f"Load average before the run: {os.getloadavg()[0]:.2f}")
        self.stdout.write(f"\n{'page':<16} {'cache':<5} {'n':>4} {'median ms':>10} {'p95 ms':>8} "
                          f"{'max ms':>8} {'cpu p50':>8} {'cpu p95':>8}")
        with override_settings(DEBUG=False):
            for name in wanted:
                urls, cached = kinds[name]
                states = ("warm", "cold", "page") if cached else ("-", "page")
                for state in states:
                    times, cpu = self.measure(urls, requests, state)
                    self.stdout.write(
                        f"{name:<16} {state:<5} {len(times):>4} "
                        f"{statistics.median(times):>10.1f} {percentile(times, 95):>8.1f} "
                        f"{max(times):>8.1f} {statistics.median(cpu):>8.1f} "
                        f"{percentile(cpu, 95):>8.1f}"
                    )
        self.stdout.write(f"Load average after the run: {os.getloadavg()[0]:.2f}")

    def header(self):
        published = Article.objects.published().count()
        return (
            f"Machine: {platform.machine()}, {_cpus()} cores, Python {platform.python_version()}, "
            f"{connection.vendor} {_db_version()}\n"
            f"Corpus: {Article.objects.count():,} articles ({published:,} published), "
            f"{Compilation.objects.count():,} compilations, {Agency.objects.count():,} agencies, "
            f"{Theme.objects.count()} themes, {Initiative.objects.count()} initiatives"
        )

    def kinds(self):
        """Page kind → (URLs to cycle through, whether the page uses the facet cache)."""
        rng = self.rng
        ids = list(Article.objects.published().values_list("pk", flat=True))
        compilations = list(
            Compilation.objects.filter(status=Status.PUBLISHED).values_list("pk", flat=True)
        )
        agencies = list(Agency.objects.values_list("pk", "level", "sector")[:200])
        themes = list(Theme.objects.values_list("slug", flat=True))
        initiatives = list(Initiative.objects.values_list("slug", flat=True)[:60])
        years = list(range(2015, 2026))
        lst = reverse("articles:list")
        filtered = []
        for _ in range(30):
            pk, level, sector = rng.choice(agencies)
            filtered += [
                f"{lst}?theme={rng.choice(themes)}&level={level}",
                f"{lst}?sector={sector}&year={rng.choice(years)}&sort=title",
                f"{lst}?agency={pk}",
                f"{lst}?initiative={rng.choice(initiatives)}&theme={rng.choice(themes)}",
                f"{lst}?year={rng.choice(years)}&compilation={rng.choice(compilations)}",
            ]
        search = reverse("articles:search")
        queries = ["党建", "清廉", "模范机关", "档案", "为民办实事", "作风", "志愿服务", "T教育",
                   "信访", "学习强国", "效能", "养老服务"]
        return {
            "list": (
                [lst, f"{lst}?page=2", f"{lst}?sort=title", f"{lst}?page=250",
                 f"{lst}?sort=date_asc"], True),
            "list-filtered": (filtered, True),
            "article": ([f"/articles/{rng.choice(ids)}/" for _ in range(300)], False),
            "compilation": (
                [f"/compilations/{rng.choice(compilations)}/" for _ in range(300)], False),
            "search": (
                [f"{search}?q={q}" for q in queries]
                + [f"{search}?q={q}&theme={rng.choice(themes)}" for q in queries], True),
            "home": ([reverse("articles:home")], True),
            "agencies": ([reverse("articles:agency_index")], True),
        }

    def measure(self, urls, requests, state):
        """Wall-clock and CPU milliseconds of each request; CPU time of this process leaves
        out waiting for a busy machine (and, on PostgreSQL, the server's own work)."""
        times, cpu = [], []
        pages = caches["pages"]
        pages.clear()
        if state != "cold":
            for url in urls[:requests]:
                self.client.get(url)  # fill the caches for the warm (and page) runs
        for i in range(requests):
            url = urls[i % len(urls)]
            if state == "cold":
                cache.clear()
            if state != "page":
                pages.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = self.client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
        return times, cpu


def _cpus():
    return os.cpu_count()


def _db_version():
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]
