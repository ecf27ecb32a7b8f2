"""``manage.py bench_import``: bulk-import benchmark on a deterministic synthetic corpus.

Generates compilations with ``articles.importer.synthetic`` (a tenth GB18030, a tenth UTF-16,
the rest UTF-8) and times what an import does — decoding, parsing, agencies, initiatives,
themes, articles with their history rows, 目录, search indexing — through two paths, in one
run and on equal corpora (different seeds, so neither finds the other's rows):

- bulk: ``import_many`` (new compilations written ``--batch`` files per transaction);
- single: ``import_compilation`` per file (one transaction per file, the admin's path).

Generation is not timed. Use a scratch database (``DATABASE_URL``); the imported rows are
deleted afterwards unless ``--keep``. Besides wall-clock rates it prints the rate per CPU
second of this process: on SQLite all the work (parsing, the database engine, search
indexing) runs in this process, so that figure is what an unloaded core achieves even when the
shared machine is busy; on PostgreSQL the server's work is not in it.
"""
import os
import platform
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection

from articles.importer import import_compilation, import_many
from articles.importer.synthetic import make_compilation_text
from articles.models import Compilation


def _corpus(first_seed, compilations, articles):
    corpus = []
    for n in range(compilations):
        text = make_compilation_text(first_seed + n, articles)
        codec = {0: "gb18030", 1: "utf-16"}.get(n % 10, "utf-8")
        corpus.append((text.encode(codec), f"bench-{first_seed + n}.txt"))
    return corpus


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


class Command(BaseCommand):
    help = "导入基准测试：生成确定性的合成汇编语料，分别走批量导入与逐份导入，报告每秒文章数。"

    def add_arguments(self, parser):
        parser.add_argument("--compilations", type=int, default=1000, help="每种方式导入的汇编份数（默认 1000）")
        parser.add_argument("--articles", type=int, default=10, help="每份汇编的文章篇数（默认 10）")
        parser.add_argument("--batch", type=int, default=50, help="批量导入时每个事务的文件数（默认 50）")
        parser.add_argument("--seed", type=int, default=1, help="第一份汇编的随机种子（默认 1）")
        parser.add_argument("--mode", choices=["both", "bulk", "single"], default="both", help="测哪种方式")
        parser.add_argument("--keep", action="store_true", help="保留导入的数据（默认测完删除）")
        parser.add_argument("--same-title", type=int, default=0, metavar="N",
                            help="改测：一份 --articles 篇的文件导入空库，与导入已有 N 份同名汇编的库，各耗时多少")
        parser.add_argument("--parse-mb", type=float, default=0, metavar="MB",
                            help="改测：解析（--dry-run 的路径）约 MB 兆的 .txt 与 .docx 各要多久")

    def handle(self, *args, compilations, articles, batch, seed, mode, keep, same_title,
               parse_mb, **options):
        if parse_mb:
            return self._parse(parse_mb, seed)
        if same_title:
            return self._same_title(same_title, articles, seed)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        self.stdout.write(
            f"数据库 {connection.vendor}；{os.cpu_count()} 核，开始时负载 {load:.2f}；"
            f"{platform.machine()}，Python {platform.python_version()}；每种方式 {compilations} 份 × "
            f"{articles} 篇 = {compilations * articles} 篇"
        )
        ids = []
        try:
            if mode in ("both", "bulk"):
                ids += self._bulk(_corpus(seed, compilations, articles), articles, batch)
            if mode in ("both", "single"):
                ids += self._single(_corpus(seed + compilations, compilations, articles), articles)
        finally:
            if not keep:
                Compilation.objects.filter(pk__in=ids).delete()

    def _parse(self, megabytes, seed, runs=3):
        """Parse time of one large file, as text and as .docx (median of ``runs``)."""
        import io

        import docx

        from articles.importer import parse_file

        text, n = "", 0
        while len(text.encode()) < megabytes * 1024 * 1024:
            text += make_compilation_text(seed + n, 50)
            n += 1
        document = docx.Document()
        for line in text.split("\n"):
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        for label, data, name in (("txt", text.encode(), "bench.txt"),
                                  ("docx", buffer.getvalue(), "bench.docx")):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                parsed = parse_file(data, filename=name)
                times.append(time.perf_counter() - t0)
            self.stdout.write(
                f"解析 .{label}：{len(data) / 1024 / 1024:.1f} MB 文件，{len(parsed.articles)} 篇；"
                f"{runs} 次中位数 {statistics.median(times):.2f} s，最慢 {max(times):.2f} s")

    def _same_title(self, others, articles, seed):
        """One file of ``articles`` articles into a library without and with ``others``
        compilations of the same (generic) title and other articles."""
        title = "关于作风建设材料汇编"

        def retitled(n):
            text = make_compilation_text(seed + n, articles)
            first = text.split("\n")[1]
            return text.replace(first, f"{title}（{articles}篇）").encode(), f"same-{n}.txt"

        timed, ids = [], []
        try:
            for label, before in (("空库", 0), (f"已有 {others} 份同名汇编", others)):
                for n in range(before):
                    data, name = retitled(1000 + n)
                    ids.append(import_compilation(data, filename=name).compilation.pk)
                data, name = retitled(len(timed))
                t0 = time.perf_counter()
                result = import_compilation(data, filename=name)
                timed.append(time.perf_counter() - t0)
                ids.append(result.compilation.pk)
                self.stdout.write(f"{label}：{articles} 篇的文件 {timed[-1]:.2f} s（{result.status}）")
            self.stdout.write(f"比值（有同名 / 空库）：{timed[1] / timed[0]:.2f}")
        finally:
            Compilation.objects.filter(pk__in=ids).delete()

    def _report(self, label, imported, total, unit_times, unit_articles, unit, cpu):
        per_unit = [unit_articles / t for t in unit_times]
        self.stdout.write(
            f"{label}：{imported} 篇 / {total:.2f} s = {imported / total:.0f} 篇/秒"
            f"（本进程 CPU {cpu:.2f} s = {imported / cpu:.0f} 篇/CPU 秒）；"
            f"每{unit}耗时 中位数 {statistics.median(unit_times) * 1000:.1f} ms"
            f"（{statistics.median(per_unit):.0f} 篇/秒），p95 {_p95(unit_times) * 1000:.1f} ms"
            f"（{unit_articles / _p95(unit_times):.0f} 篇/秒）"
        )

    def _bulk(self, corpus, articles, batch):
        times, ids, imported = [], [], 0
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(corpus), batch):
            t0 = time.perf_counter()
            results = import_many(corpus[start:start + batch], batch_size=batch)
            times.append(time.perf_counter() - t0)
            for result in results:
                ids.append(result.compilation.pk)
                imported += result.created + result.updated + result.unchanged
        self._report(f"批量导入（import_many，每事务 {batch} 份）", imported,
                     time.perf_counter() - started, times, batch * articles, "批",
                     time.process_time() - cpu)
        return ids

    def _single(self, corpus, articles):
        times, ids, imported = [], [], 0
        started, cpu = time.perf_counter(), time.process_time()
        for data, filename in corpus:
            t0 = time.perf_counter()
            result = import_compilation(data, filename=filename)
            times.append(time.perf_counter() - t0)
            ids.append(result.compilation.pk)
            imported += result.created + result.updated + result.unchanged
        self._report("逐份导入（import_compilation，每份一个事务）", imported,
                     time.perf_counter() - started, times, articles, "份",
                     time.process_time() - cpu)
        return ids
