"""Time the writer's workbench at size: a reader with a draft of 500 clips and a folder of 200
articles, in a library built by ``articles.benchmarks.corpus`` (the reader-page corpus;
reused when present, so run it on the database of ``bench_views``).

Each request goes through Django's test client as the signed-in reader (URL resolution,
middleware, session, views, queries, export): the draft's .docx (clip sources as footnotes)
and .txt, the folder's .docx, and the draft and clip pages. The benchmark reader and their
workbench are deleted afterwards.
"""
import os
import platform
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from articles.benchmarks import corpus
from articles.benchmarks.stats import percentile
from articles.models import Article, Compilation
from articles.reading import article_blocks
from articles.workbench import services

USERNAME = "bench-workbench-reader"


class Command(BaseCommand):
    help = "Benchmark the workbench: a 500-clip draft's exports, a 200-article folder, pages."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000, help="Corpus size.")
        parser.add_argument("--seed", type=int, default=20261125, help="Corpus seed.")
        parser.add_argument("--clips", type=int, default=500, help="Clips in the draft.")
        parser.add_argument("--requests", type=int, default=20, help="Requests per kind.")

    def handle(self, *args, articles, seed, clips, requests, **options):
        if min(articles, clips, requests) < 1:
            raise CommandError("--articles, --clips and --requests must be positive.")
        if clips > services.MAX_DRAFT_ITEMS:
            raise CommandError(f"--clips must be at most {services.MAX_DRAFT_ITEMS}.")
        if not corpus.present(count=articles, seed=seed):
            if Article.objects.exists() and not Compilation.objects.filter(
                    title__startswith=corpus.MARKER).exists():
                raise CommandError("This database holds real articles: use a database of its own.")
            self.stdout.write(f"Building a corpus of {articles:,} articles (seed {seed})…")
            corpus.build(count=articles, seed=seed, stdout=self.stdout)
        get_user_model().objects.filter(username=USERNAME).delete()
        reader = get_user_model().objects.create_user(USERNAME)
        try:
            draft, folder = self.workbench(reader, random.Random(seed), clips)
            client = Client()
            client.force_login(reader)
            self.stdout.write(
                f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}, {connection.vendor}\n"
                f"Corpus: {Article.objects.count():,} articles; draft of {clips} clips and "
                f"{clips // 10} headings; folder of {folder.items.count()} articles\n"
                f"Load average before the run: {os.getloadavg()[0]:.2f}\n"
                f"\n{'request':<22} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} "
                f"{'KB':>7}")
            kinds = {
                "draft .docx": f"/api/drafts/{draft.pk}/export.docx",
                "draft .txt": f"/api/drafts/{draft.pk}/export.txt",
                "folder .docx (200)": f"/api/folders/{folder.pk}/export.docx",
                "draft page": f"/workbench/drafts/{draft.pk}/",
                "clips page": "/workbench/clips/",
                "clips search": "/workbench/clips/?q=" + "党建",
            }
            with override_settings(DEBUG=False):
                for name, url in kinds.items():
                    times, size = self.measure(client, url, requests)
                    self.stdout.write(
                        f"{name:<22} {len(times):>4} {statistics.median(times):>10.1f} "
                        f"{percentile(times, 95):>8.1f} {max(times):>8.1f} {size / 1024:>7.0f}")
            self.stdout.write(f"Load average after the run: {os.getloadavg()[0]:.2f}")
        finally:
            reader.delete()

    def workbench(self, reader, rng, clips):
        """A draft of ``clips`` clips from random articles (a heading every ten), a folder of
        200 articles: written through the services, as readers write them."""
        ids = list(Article.objects.published().filter(members_only=False)
                   .values_list("pk", flat=True))
        draft = services.draft_create(owner=reader, title="基准组稿：关于作风建设的调研报告")
        folder = services.folder_create(owner=reader, name="基准收藏夹")
        started = time.perf_counter()
        for n in range(clips):
            if n % 10 == 0:
                services.draft_add_item(draft=draft, owner=reader,
                                        heading=f"{n // 10 + 1}、第{n // 10 + 1}部分")
            article = Article.objects.get(pk=rng.choice(ids))
            paragraph = rng.randint(1, len(article_blocks(article, True)))
            services.draft_add_item(draft=draft, owner=reader, article_id=article.pk,
                                    paragraph=paragraph)
        for pk in rng.sample(ids, 200):
            services.folder_add_article(folder=folder, user=reader, article_id=pk)
        self.stdout.write(f"Workbench written in {time.perf_counter() - started:.1f} s")
        return draft, folder

    def measure(self, client, url, requests):
        times, size = [], 0
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
            size = len(response.content)
        return times, size
