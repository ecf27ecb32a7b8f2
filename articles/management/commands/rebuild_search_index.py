"""Rebuild the full-text search index from the articles, in one transaction."""
import time

from django.core.management.base import BaseCommand

from articles.search import rebuild_index


class Command(BaseCommand):
    help = (
        "Index every article anew (after changing the tokeniser or the code table, or to "
        "repair the index). One transaction: on SQLite readers keep the old index until it "
        "commits; on PostgreSQL searches wait for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000,
                            help="Articles indexed per batch (default 1000).")

    def handle(self, *args, batch, **options):
        started = time.perf_counter()
        count = rebuild_index(progress=self.progress, batch=max(1, batch))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"已重建搜索索引：{count} 篇文章，用时 {time.perf_counter() - started:.1f} 秒。"
        ))

    def progress(self, done, total):
        width = 30
        filled = width * done // max(total, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
        )
        self.stdout.flush()
