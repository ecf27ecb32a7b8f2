"""Writing imports: one transaction, idempotent by checksum, updates with history, bulk rows."""
from unittest import mock

from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext

from articles.importer import (
    ImportRefused,
    import_compilation,
    import_many,
    parse_file,
    preview_import,
)
from articles.models import (
    Agency,
    Article,
    Compilation,
    Initiative,
    Status,
    Theme,
    TocEntry,
)
from tests.factories import make_agency, make_user

from .helpers import STYLES, styles_text


class ImportTests(TestCase):
    def test_import_creates_compilation_articles_agencies_tags_and_toc(self):
        result = import_compilation(STYLES)
        self.assertEqual((result.status, result.created), ("created", 4))
        compilation = result.compilation
        self.assertEqual(compilation.title, "关于机关作风建设经验做法材料汇编")
        self.assertEqual(compilation.declared_count, 5)
        self.assertEqual(compilation.status, Status.DRAFT)
        articles = list(Article.objects.in_compilation(compilation))
        self.assertEqual([a.position for a in articles], [1, 2, 3, 4])
        self.assertEqual(articles[0].agency.name, "市财政局")
        self.assertEqual((articles[3].agency.level, articles[3].agency.sector), ("州", "生态环境"))
        self.assertEqual(sorted(articles[0].initiatives.names()), ["三个聚焦"])
        self.assertIn("党建", articles[1].themes.names())
        self.assertEqual([a.members_only for a in articles], [False, False, True, False])
        self.assertTrue(all(a.history.count() == 1 for a in articles))
        self.assertEqual(articles[1].text.count("主题党日"), 2)
        self.assertIn("TD日", articles[1].original_text)
        self.assertEqual(articles[0].sections[1]["heading"], "（一）聚焦责任落实，建立全过程绩效链条")
        toc = list(TocEntry.objects.filter(compilation=compilation).order_by("position"))
        self.assertEqual([(t.page, t.article_id) for t in toc],
                         [(3, articles[0].pk), (6, articles[1].pk), (9, articles[2].pk), (12, None)])

    def test_existing_agency_and_initiative_are_reused(self):
        agency = make_agency(name="市财政局", level=Agency.Level.CITY, sector="财政")
        Initiative.objects.create(name="三个聚焦")
        result = import_compilation(STYLES)
        self.assertEqual(Article.objects.get(compilation=result.compilation, position=1).agency, agency)
        self.assertEqual(Initiative.objects.filter(name="三个聚焦").count(), 1)
        self.assertNotIn("市财政局", result.agencies_created)
        self.assertNotIn("三个聚焦", result.initiatives_created)

    def test_publish_publishes_compilation_and_articles(self):
        result = import_compilation(STYLES, publish=True)
        self.assertEqual(result.compilation.status, Status.PUBLISHED)
        self.assertEqual(Article.objects.published().filter(compilation=result.compilation).count(), 4)

    def test_reimporting_the_same_file_is_unchanged(self):
        first = import_compilation(STYLES)
        with CaptureQueriesContext(connection) as queries:
            again = import_compilation(STYLES)
        self.assertEqual((again.status, again.created, again.updated), ("unchanged", 0, 0))
        self.assertEqual(again.compilation, first.compilation)
        self.assertIn("与已导入的内容相同，未作改动", again.summary())
        self.assertFalse([q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))])
        self.assertEqual(Compilation.objects.count(), 1)
        self.assertEqual(Article.objects.count(), 4)

    def test_corrected_version_updates_matching_articles_and_keeps_history(self):
        first = import_compilation(STYLES)
        article = Article.objects.get(compilation=first.compilation, position=3)
        corrected = styles_text().replace("全年开展集中学习24次", "全年开展集中学习26次")
        user = make_user("编辑甲", staff=True)
        result = import_compilation(corrected.encode("gb18030"), filename="修订版.txt", user=user)
        self.assertEqual((result.status, result.created, result.updated, result.unchanged),
                         ("updated", 0, 1, 3))
        self.assertEqual(result.compilation, first.compilation)
        article.refresh_from_db()
        self.assertIn("26次", article.original_text)
        self.assertEqual(article.version, 2)
        self.assertEqual(article.history.count(), 2)
        self.assertIn("24次", article.history.earliest().original_text)
        self.assertEqual(article.history.latest().history_user, user)
        self.assertEqual(Article.objects.count(), 4)

    def test_corrected_version_with_a_new_article_and_a_reorder(self):
        first = import_compilation(STYLES)
        text = styles_text()
        extra = "\n\n\n县水利局：“两个强化”守护河湖安全\n\n今年以来，县水利局强化巡查、强化执法，河湖面貌持续改善。\n"
        head, tail = text.split("\n\n##paidbegin##\n", 1)
        result = import_compilation((head + extra + "\n\n##paidbegin##\n" + tail).encode(), filename="b.txt")
        self.assertEqual((result.created, result.updated, result.unchanged), (1, 0, 4))
        titles = list(Article.objects.in_compilation(first.compilation).values_list("title", flat=True))
        self.assertEqual(titles[2], "县水利局：“两个强化”守护河湖安全")
        self.assertEqual(len(titles), 5)

    def test_stray_control_characters_are_dropped_so_every_database_takes_the_text(self):
        # PostgreSQL refuses NUL in text columns; a pasted control character must not fail the import.
        text = styles_text().replace("。", "。\x00", 1).replace("D建", "D\x07建", 1)
        self.assertIn("\x00", text)
        # With a BOM the file is text whatever it holds (without one, NUL means binary or UTF-16).
        result = import_compilation(parse_file(text.encode("utf-8-sig"), filename="控制符.txt"))
        self.assertGreater(result.created, 0)
        stored = "".join(Article.objects.values_list("original_text", flat=True))
        stored += "".join(Article.objects.values_list("title", flat=True))
        self.assertNotIn("\x00", stored)
        self.assertNotIn("\x07", stored)
        self.assertIn("D建", stored)

    def test_refused_file_writes_nothing(self):
        with self.assertRaises(ImportRefused):
            import_compilation(b"\x00\x01\x02binary" * 50, filename="bad.bin")
        self.assertEqual(Compilation.objects.count(), 0)
        self.assertEqual(Agency.objects.count(), 0)

    def test_failure_while_writing_rolls_everything_back(self):
        # The 目录 is written last: by then compilation, agencies and articles exist.
        failing = mock.patch("articles.importer.load._write_toc", side_effect=RuntimeError("磁盘已满"))
        with failing, self.assertRaises(RuntimeError):
            import_compilation(STYLES)
        self.assertEqual(Compilation.objects.count(), 0)
        self.assertEqual(Article.objects.count(), 0)
        self.assertEqual(Agency.objects.count(), 0)

    def test_preview_tells_new_from_existing(self):
        import_compilation(STYLES)
        corrected = styles_text().replace("全年开展集中学习24次", "全年开展集中学习26次")
        preview = preview_import(parse_file(corrected.encode(), filename="c.txt"))
        self.assertEqual(preview.status, "updated")
        self.assertEqual([a.state for a in preview.articles], ["unchanged", "unchanged", "updated", "unchanged"])
        self.assertTrue(all(not new for _name, new in preview.agencies))
        self.assertEqual(Article.objects.count(), 4)

    def test_themes_are_only_existing_vocabulary_themes(self):
        before = Theme.objects.count()
        import_compilation(STYLES)
        self.assertEqual(Theme.objects.count(), before)

    def test_imported_articles_are_searchable(self):
        result = import_compilation(STYLES, publish=True)
        hits = Article.objects.published().search("主题党日")
        self.assertEqual(list(hits.values_list("compilation", flat=True)), [result.compilation.pk])
        self.assertTrue(Article.objects.published().search("预算绩效").exists())

    def test_query_count_does_not_grow_with_articles(self):
        with CaptureQueriesContext(connection) as small:
            import_compilation(STYLES)
        from articles.importer.synthetic import make_compilation_text

        with CaptureQueriesContext(connection) as large:
            result = import_compilation(make_compilation_text(3, 30).encode(), filename="big.txt")
        self.assertEqual(result.created, 30)
        self.assertLessEqual(len(large.captured_queries), len(small.captured_queries) + 4)


class ImportManyTests(TestCase):
    def corpus(self):
        from articles.importer.synthetic import make_compilation_text

        return [STYLES] + [(make_compilation_text(seed, 3).encode("gb18030"), f"第{seed}辑.txt")
                           for seed in (11, 12, 13)] + [(b"\x00\xff" * 100, "坏.bin"), STYLES]

    def test_bulk_import_writes_each_file_once_and_reports_refusals(self):
        results = import_many(self.corpus(), publish=True)
        self.assertEqual([getattr(r, "status", "refused") for r in results],
                         ["created", "created", "created", "created", "refused", "unchanged"])
        self.assertIsInstance(results[4], ImportRefused)
        self.assertIn("坏.bin", str(results[4]))
        self.assertEqual(Compilation.objects.count(), 4)
        self.assertEqual(Article.objects.published().count(), 4 + 9)
        first = results[1].compilation
        self.assertEqual(Article.objects.filter(compilation=first).count(), 3)
        self.assertEqual(first.history.count(), 1)
        self.assertEqual(TocEntry.objects.filter(compilation=first, article__isnull=False).count(), 3)
        again = import_many(self.corpus())
        self.assertEqual([getattr(r, "status", "refused") for r in again],
                         ["unchanged"] * 4 + ["refused", "unchanged"])

    def test_failed_batch_falls_back_to_one_transaction_per_file(self):
        from articles.importer import load

        real = load._create_many
        calls = []

        def flaky(write, parsed_list, **kwargs):
            calls.append(len(parsed_list))
            if len(calls) == 1:
                real(write, parsed_list, **kwargs)  # writes, then fails: the batch must roll back
                raise RuntimeError("批量写入失败")
            return real(write, parsed_list, **kwargs)

        with mock.patch.object(load, "_create_many", side_effect=flaky):
            results = import_many(self.corpus()[:4])
        self.assertEqual(calls[0], 4)
        self.assertEqual([r.status for r in results], ["created"] * 4)
        self.assertEqual(Compilation.objects.count(), 4)
        self.assertEqual(Article.objects.count(), 4 + 9)


class CorrectedTitleTests(TestCase):
    def test_a_corrected_title_updates_its_article_instead_of_adding_one(self):
        first = import_compilation(STYLES)
        article = Article.objects.get(compilation=first.compilation, position=2)
        corrected = styles_text().replace("县委宣传部以“五个一”工程深化机关D建引领\n\n近年来",
                                          "县委宣传部以“五个一”工程深化机关党建引领\n\n近年来")
        result = import_compilation(corrected.encode(), filename="改题.txt")
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 1, 3))
        article.refresh_from_db()
        self.assertEqual(article.title, "县委宣传部以“五个一”工程深化机关党建引领")
        self.assertEqual(article.history.count(), 2)


class SameTitleTests(TestCase):
    def test_another_compilation_with_the_same_title_is_imported_as_new(self):
        first = import_compilation(STYLES)
        other = (
            "关于机关作风建设经验做法材料汇编（1篇）\n\n\n"
            "市气象局：“三个到位”提升气象服务质效\n\n"
            "今年以来，市气象局坚持服务到位、预警到位、保障到位，气象服务质效明显提升。\n"
            "一、服务到位。主动对接农业生产需求，发布专题服务材料20期。\n"
        )
        result = import_compilation(other.encode(), filename="另一份.txt")
        self.assertEqual(result.status, "created")
        self.assertNotEqual(result.compilation, first.compilation)
        self.assertEqual(first.compilation.articles.count(), 4)


class FuzzyMatchTests(SimpleTestCase):
    """Corrected titles are found among many without scoring every pair."""

    def test_corrected_titles_among_hundreds_find_their_articles(self):
        from types import SimpleNamespace

        from articles.importer.load import _match_articles
        from articles.importer.synthetic import make_compilation_text

        titles = []
        for seed in range(1, 60):
            for line in make_compilation_text(seed, 10).split("\n"):
                if "\t" in line and not line.startswith(("关于", "目录")):
                    titles.append(line.split("\t")[0])
        titles = list(dict.fromkeys(titles))[:400]
        old = [SimpleNamespace(pk=n, title=t) for n, t in enumerate(titles)]
        corrected = [t.replace("D", "党", 1) if n % 10 == 0 else t for n, t in enumerate(titles)]
        corrected = [t[:-1] + "。" if n % 10 == 5 else t for n, t in enumerate(corrected)]
        new = [SimpleNamespace(title=t) for t in reversed(corrected)]
        matches = _match_articles(old, new)
        self.assertEqual([m.pk if m else None for m in matches], list(reversed(range(400))))
        strangers = [SimpleNamespace(title=f"市档案局以“{n}个坚持”推进档案数字化") for n in range(50)]
        self.assertEqual(_match_articles(old, strangers), [None] * 50)


class SameTitleQueryTests(TestCase):
    def test_checking_same_titled_compilations_costs_one_query_each(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from articles.importer import parse_file, preview_import

        def queries():
            with CaptureQueriesContext(connection) as captured:
                preview_import(parse_file(STYLES))
            return len(captured)

        from articles.importer.synthetic import make_compilation_text

        baseline = queries()
        title = styles_text().split("\n")[1]
        for n in range(3):  # other compilations of the same title, with other articles
            other = make_compilation_text(100 + n, 20)
            other = other.replace(other.split("\n")[1], title)
            import_compilation(other.encode(), filename=f"other-{n}.txt")
        self.assertEqual(Compilation.objects.count(), 3)
        self.assertLessEqual(queries() - baseline, 3)
