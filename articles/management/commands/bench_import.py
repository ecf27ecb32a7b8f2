"""``manage.py bench_import``: bulk-import benchmark on a deterministic synthetic corpus.

Generates N compilations (``articles.importer.synthetic``; a tenth GB18030, a tenth UTF-16,
the rest UTF-8), then times ``import_compilation`` on each — decoding, parsing, agencies, tags,
articles with history, 目录, search indexing: everything an import does. Generation is not
timed. Use a scratch database (``DATABASE_URL``); the imported rows are deleted afterwards
unless ``--keep``.
"""
import platform
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection

from articles.importer import import_compilation
from articles.importer.synthetic import make_compilation_text
from articles.models import Compilation


class Command(BaseCommand):
    help = "导入基准测试：生成确定性的合成汇编语料并逐份导入，报告每秒文章数。"

    def add_arguments(self, parser):
        parser.add_argument("--compilations", type=int, default=1000, help="合成汇编份数（默认 1000）")
        parser.add_argument("--articles", type=int, default=10, help="每份汇编的文章篇数（默认 10）")
        parser.add_argument("--seed", type=int, default=1, help="第一份汇编的随机种子（默认 1）")
        parser.add_argument("--keep", action="store_true", help="保留导入的数据（默认测完删除）")

    def handle(self, *args, compilations, articles, seed, keep, **options):
        corpus = []
        for n in range(compilations):
            text = make_compilation_text(seed + n, articles)
            codec = {0: "gb18030", 1: "utf-16"}.get(n % 10, "utf-8")
            corpus.append((f"bench-{seed + n}.txt", text.encode(codec)))
        size = sum(len(data) for _, data in corpus)
        self.stdout.write(f"语料：{compilations} 份汇编 × {articles} 篇 = {compilations * articles} 篇，"
                          f"{size / 1024 / 1024:.1f} MB；数据库 {connection.vendor}")
        durations, ids, imported = [], [], 0
        started = time.perf_counter()
        for filename, data in corpus:
            t0 = time.perf_counter()
            result = import_compilation(data, filename=filename)
            durations.append(time.perf_counter() - t0)
            ids.append(result.compilation.pk)
            imported += result.created + result.updated + result.unchanged
        total = time.perf_counter() - started
        durations.sort()
        median = statistics.median(durations)
        p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
        self.stdout.write(
            f"总计 {imported} 篇 / {total:.2f} s = {imported / total:.0f} 篇/秒；"
            f"每份汇编耗时 中位数 {median * 1000:.1f} ms（{articles / median:.0f} 篇/秒），"
            f"p95 {p95 * 1000:.1f} ms（{articles / p95:.0f} 篇/秒）；"
            f"{platform.processor() or platform.machine()}，Python {platform.python_version()}"
        )
        if not keep:
            Compilation.objects.filter(pk__in=ids).delete()
