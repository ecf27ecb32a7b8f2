"""Benchmark search on the deterministic synthetic corpus against a brute-force oracle.

Builds (once; reused when present) the benchmarks' one corpus (``articles.benchmarks.corpus``,
also read by ``bench_views``) of ``--articles`` articles, then for a fixed set of queries of
every kind (operators, slogans frequent in titles, several terms) checks the matches
against a Python substring test over the restored text (recall and precision must be 100%),
and times full requests to ``/api/search/`` and ``/search/`` next to a plain ``icontains``
scan over the same articles. Use a database of its own (``DATABASE_URL``).
"""
import gc
import os
import platform
import statistics
import time
from unittest import mock

from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import override_settings
from rest_framework.throttling import AnonRateThrottle

from articles.benchmarks import corpus
from articles.benchmarks.stats import percentile
from articles.facets import prepare_maps
from articles.models import Article
from articles.search import Scope, backend, parse, search_results
from articles.search.documents import ROW_COLUMNS, Row, full_fields, preview_fields
from articles.search.tokenise import normalise, skeleton

QUERIES = [
    # one character
    "党", "廉", "效", "档", "犰", "鹳", "防", "信",
    # common two-character terms, the commonest included
    "机关", "建设", "工作", "党建", "学习", "作风", "清廉", "信访", "档案", "养老", "消防",
    "效能", "服务", "群众", "改革", "主题", "党课", "防火", "招商", "统计",
    # rare two-character terms
    "鹳雀", "犰狳", "珐琅", "玳瑁", "砗磲",
    # longer terms
    "模范机关", "党风廉政", "高质量发展", "河湖长制", "老旧小区改造", "鹳雀楼", "锂电池回收",
    "为民办实事", "风清气正", "学习强国APP平台",
    # quoted phrases
    '"营造了风清气正"', "“四点聚力”", '"成效。州交通"', '"明显成效，"',
    # several terms
    "党建 信访", "清廉 档案 养老", "消防 招商 统计", "犰狳 党建",
    # written in codes / code-aware
    "D建", "TD日", "DK", "D支部", "T教育", "主题党日", "党支部", "党课教育",
    # Latin letters and digits, full- and half-width
    "APP", "ＡＰＰ", "app", "Zeta", "zeta计划", "QX-77", "77型", "2023", "２０２３年",
    # slogans frequent in titles, long terms, several terms as readers type them
    "六型", "三化", "四点聚力", "四个着力", "以主题教育深化", "党建 模范机关", "建设人民满意交通",
    "清廉机关 作风 效能", "模范机关建设 为民办实事",
    # operators: OR, NOT, title only, phrases, combined
    "党建 | 信访", "档案 | 养老 | 消防", "党建 -信访", "机关 -建设", "intitle:模范机关",
    "intitle:三化 | intitle:六型", '"取得明显成效" -党建', "养老 | 消防 -工作", "intitle:党建 档案",
    # odd input: punctuation, FTS/SQL syntax, unbalanced quotes, overlong
    "党建，信访", "NEAR(党建", "党建 OR 作风", "清廉*", '"未闭合的引号', ":档案", "——", "!!!",
    "SELECT * FROM articles_article;--", "机关" * 80,
]


class Command(BaseCommand):
    help = "Benchmark search at library scale: recall/precision vs an oracle, p50/p95 latency."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000,
                            help="Corpus size (default 100000).")
        parser.add_argument("--seed", type=int, default=20260101,
                            help="Seed of the synthetic corpus.")
        parser.add_argument("--repeat", type=int, default=5,
                            help="Timed runs of each query per endpoint (default 5).")
        parser.add_argument("--rebuild", action="store_true",
                            help="Rebuild the corpus even when one of this size exists.")

    def handle(self, *args, articles, seed, repeat, rebuild, **options):
        # Every timed request comes from one anonymous client: no rate limit applies.
        with mock.patch.object(AnonRateThrottle, "THROTTLE_RATES", {"anon": None}):
            self._handle(articles, seed, repeat, rebuild)

    def _handle(self, articles, seed, repeat, rebuild):
        if articles < 1 or repeat < 1:
            raise CommandError("--articles and --repeat must be positive.")
        if rebuild or not corpus.present(count=articles, seed=seed):
            if Article.objects.exclude(compilation__title__startswith=corpus.MARKER).exists():
                raise CommandError(
                    "This database holds other articles: benchmark on a database of its own."
                )
            corpus.build(count=articles, seed=seed, stdout=self.stdout)
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                with connection.cursor() as cursor:
                    # VACUUM sets the visibility map, so PostgreSQL answers from covering
                    # indexes (autovacuum does the same in production).
                    cursor.execute("VACUUM ANALYZE")
        self.report(repeat)

    # -- measurements ----------------------------------------------------------------------
    def report(self, repeat):
        w = self.stdout.write
        docs, utf8, public_docs = self._oracle_docs()
        with connection.cursor() as cursor:
            index_bytes = backend().size_bytes(cursor)
        chars = sum(len(f) for _, fields in docs for f in fields)
        w(f"Machine: {platform.processor() or platform.machine()}, "
          f"{_cpus()} cores, Python {platform.python_version()}, {connection.vendor} "
          f"{_db_version()}")
        w(f"Load average at start (1, 5, 15 min): {os.getloadavg()}")
        w(f"Corpus: {len(docs):,} published articles, {chars:,} indexed characters, "
          f"{utf8 / 2**20:,.0f} MiB UTF-8 (title + headings + body)")
        ratio = f"{index_bytes / utf8:.2f}× the text" if utf8 else ""
        w(f"Search index: {index_bytes / 2**20:,.0f} MiB ({ratio})")

        client = Client()
        # The facet maps are built once per library version and process, by the first search
        # after a write: timed here on their own, not charged to whichever query comes first.
        started = time.perf_counter()
        prepare_maps()
        w(f"Facet maps (once per library version and process): "
          f"{(time.perf_counter() - started) * 1000:,.0f} ms")
        # As the WSGI entry point does at startup (``compilation/wsgi.py``): what is loaded by
        # now, here also the oracle's texts, stays out of the full garbage collections, which
        # would otherwise walk it in the middle of some timed request.
        gc.freeze()
        exact = total_oracle = total_found = total_true = 0
        api_times, page_times, scan_times, engine_times = [], [], [], []
        cached_pages = []  # the same /search/ URL again: the whole page from the page cache
        common_times, other_times = [], []
        slowest_api, slowest_page = [], []
        w(f"\n{'query':<24} {'oracle':>7} {'found':>7} {'share':>6}  ok  api ms page ms"
          "  scan ms")
        for q in QUERIES:
            parsed = parse(q)
            oracle = {
                pk for pk, doc in docs
                if parsed.matches(doc)
            }
            found = set(Article.objects.published().search(q).values_list("pk", flat=True))
            results = search_results(q, Scope.MEMBER)
            paged = results[0:len(found) + 1]
            if results.count() != len(found) or set(paged) != found or len(paged) != len(found):
                found = set()  # the paged results differ from the ranked QuerySet: not exact
            # The public scope: members-only articles on their title and free preview only.
            public_oracle = {
                pk for pk, doc in public_docs
                if parsed.matches(doc)
            }
            public = search_results(q, Scope.PUBLIC)
            public_ids = public[0:len(public_oracle) + 1]
            if public.count() != len(public_oracle) or set(public_ids) != public_oracle:
                found = set()  # the public scope is not exact: the query fails
            total_oracle += len(oracle)
            total_found += len(found)
            total_true += len(oracle & found)
            exact += oracle == found
            with override_settings(DEBUG=False):
                _get(client, "/api/search/", q)  # warm
                mine, pages = [], []
                for _ in range(repeat):
                    mine.append(_timed(_get, client, "/api/search/", q))
                    caches["pages"].clear()  # the search itself is timed, not a cached page
                    pages.append(_timed(_get, client, "/search/", q))
                    cached_pages.append(_timed(_get, client, "/search/", q))
                    engine_times.append(_timed(_engine, q))
            page_times.extend(pages)
            api_times.extend(mine)
            slowest_api.append((max(mine), q))
            slowest_page.append((max(pages), q))
            share = len(oracle) / len(docs)
            (common_times if share > 0.2 else other_times).extend(mine)
            scan = _timed(_icontains, parsed)
            scan_times.append(scan)
            w(f"{q[:22]:<24} {len(oracle):>7,} {len(found):>7,} {100 * share:>5.1f}%  "
              f"{'✓' if oracle == found else '✗'} {statistics.median(mine):7.1f} "
              f"{pages[0]:7.1f} {scan:7.0f}")
        recall = total_true / total_oracle if total_oracle else 1.0
        precision = total_true / total_found if total_found else 1.0
        w(f"\nQueries: {len(QUERIES)}, exact result sets: {exact}/{len(QUERIES)}; "
          f"recall {100 * recall:.2f}%, precision {100 * precision:.2f}%")
        for label, times in (
            ("GET /api/search/ (count, ranked page, snippets)", api_times),
            ("GET /search/ (HTML page with facets)", page_times),
            ("GET /search/ again (served from the page cache)", cached_pages),
            ("engine only (count + first 20 ranked ids)", engine_times),
            ("icontains scan (count + first 20 ids)", scan_times),
            ("  /api/search/, queries matching > 20% of articles", common_times),
            ("  /api/search/, queries matching <= 20% of articles", other_times),
        ):
            if times:
                w(f"{label:<52} p50 {percentile(times, 50):8.1f} ms   "
                  f"p95 {percentile(times, 95):8.1f} ms")
        w(f"p50 speed-up of /api/search/ over the icontains scan: "
          f"{percentile(scan_times, 50) / percentile(api_times, 50):.0f}×")
        for label, slowest in (("/api/search/", slowest_api), ("/search/", slowest_page)):
            five = sorted(slowest, reverse=True)[:5]
            w(f"Five slowest {label} (slowest of {repeat} runs): "
              + "; ".join(f"{q} {ms:.0f} ms" for ms, q in five))

    def _oracle_docs(self):
        """(pk, skeleton) of every published article's full text; the UTF-8 bytes indexed;
        (pk, skeleton) of what the public may match (``documents.preview_fields``)."""
        docs, public, utf8 = [], [], 0
        rows = Article.objects.published().values_list(*ROW_COLUMNS)
        for values in rows.iterator(chunk_size=2000):
            row = Row(*values)
            fields = full_fields(row)
            utf8 += sum(len(f.encode("utf-8")) for f in fields)
            docs.append((row.pk, [skeleton(normalise(f)) for f in fields]))
            readable = preview_fields(row)
            if readable is None:
                public.append(docs[-1])
            else:
                public.append((row.pk, [skeleton(normalise(f)) for f in readable]))
        return docs, utf8, public


def _engine(q):
    results = search_results(q, Scope.PUBLIC)
    return results.count(), results[0:20]


def _icontains(parsed):
    qs = Article.objects.published()
    for atom in parsed.atoms:
        for run in atom:
            qs = qs.filter(Q(title__icontains=run) | Q(text__icontains=run))
    qs = qs.order_by("-published_at", "-id")
    return qs.count(), list(qs.values_list("pk", flat=True)[:20])


def _get(client, path, q):
    """One request; anything but a 200 (a redirect under DEBUG=0, an error) ends the run,
    so a figure is never the time of the wrong answer."""
    response = client.get(path, {"q": q})
    if response.status_code != 200:
        raise CommandError(f"{path}?q={q} answered {response.status_code}")


def _timed(fn, *args):
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def _cpus():
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _db_version():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]
