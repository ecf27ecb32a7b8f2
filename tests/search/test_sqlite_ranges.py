"""SQLite: the count and ids of a large library are read in ranges of ids, at once.

Outside a transaction (every request), ``sqlite.count`` and ``sqlite.ids`` split the ids into
ranges read by a thread pool, each thread on its own read-only connection. These tests force
the split on a small library (``SPLIT_MIN_ID``), into three ranges, and compare it with the
oracle for the editors' and the public scope. Inside a transaction only the request's own
connection sees its writes: there the single statement must answer.
"""
import os
import sqlite3
import tempfile
import unittest
from unittest import mock

from django.db import connection, transaction
from django.test import TransactionTestCase

from articles.models import Article, Status
from articles.benchmarks import synthetic
from articles.search import Scope, parse, search_results
from articles.search import sqlite as engine
from articles.search.tokenise import document_fields, normalise, skeleton
from tests.factories import make_article, make_compilation
from tests.search.test_oracle import FIXED_QUERIES


def oracle(rows, q):
    parsed = parse(q)
    return {pk for pk, fields in rows if parsed.matches(fields)}


@unittest.skipUnless(connection.vendor == "sqlite", "the SQLite backend's own reading plan")
class RangesTests(TransactionTestCase):
    def setUp(self):
        shown, hidden = make_compilation(), make_compilation(status=Status.DRAFT)
        for n, data in enumerate(synthetic.articles(5, 90, target_chars=200), start=1):
            make_article(
                compilation=hidden if n % 11 == 0 else shown, position=n,
                status=Status.DRAFT if n % 7 == 0 else Status.PUBLISHED, **data,
            )
        self.rows = [
            (pk, [skeleton(normalise(f)) for f in document_fields(title, sections, text)])
            for pk, title, sections, text in Article.objects.values_list(
                "pk", "title", "sections", "text"
            )
        ]
        self.published = set(Article.objects.published().values_list("pk", flat=True))
        self.split = mock.patch.multiple(engine, SPLIT_MIN_ID=0, CORES=3)
        self.split.start()
        self.addCleanup(self.split.stop)

    def test_counts_and_ids_read_in_ranges_equal_the_oracle(self):
        nonempty = 0
        with mock.patch.object(engine, "_read_one", wraps=engine._read_one) as reads:
            for q in FIXED_QUERIES:
                expected = oracle(self.rows, q)
                nonempty += bool(expected)
                editors = search_results(q)
                public = search_results(q, Scope.MEMBER)
                self.assertEqual(editors.count(), len(expected), q)
                found = public.match_ids()
                self.assertEqual(sorted(found), sorted(expected & self.published), q)
        self.assertGreater(nonempty, 15)  # the corpus really answers the queries
        # Three ranges per count and per ids of every query with atoms, none on the
        # request's connection.
        with_atoms = sum(1 for q in FIXED_QUERIES if parse(q))
        self.assertEqual(reads.call_count, 3 * 2 * with_atoms)

    def test_inside_a_transaction_the_request_connection_counts_its_own_writes(self):
        q = "蝾螈栖息地"
        with mock.patch.object(engine, "_read_one", wraps=engine._read_one) as reads:
            with transaction.atomic():
                make_article(compilation=make_compilation(), title="湿地", original_text=q)
                self.assertEqual(search_results(q).count(), 1)
            self.assertEqual(reads.call_count, 0)
            self.assertEqual(search_results(q).count(), 1)
            self.assertEqual(reads.call_count, 3)


class ReaderConnectionTests(unittest.TestCase):
    """A pool thread keeps its connection to a database file, and opens a new one when the
    file was replaced (a restored backup), never reading the old file's pages."""

    def test_a_replaced_file_gets_a_new_connection(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "library.sqlite3")

            def write(name, value):
                db = sqlite3.connect(name)
                db.execute("CREATE TABLE t (v)")
                db.execute("INSERT INTO t VALUES (?)", [value])
                db.commit()
                db.close()

            def database():
                stat = os.stat(path)
                return path, stat.st_dev, stat.st_ino

            write(path, "old")
            first = engine._reader(database())
            self.assertIs(engine._reader(database()), first)
            self.assertEqual(engine._read_one(database(), "SELECT v FROM t", []), "old")
            write(path + ".new", "new")
            os.replace(path + ".new", path)
            self.assertEqual(engine._read_one(database(), "SELECT v FROM t WHERE %s", [1]), "new")
            self.assertIsNot(engine._reader(database()), first)
            with self.assertRaises(sqlite3.ProgrammingError):  # closed
                first.execute("SELECT 1")
            reader = engine._reader(database())
            with self.assertRaises(sqlite3.OperationalError):  # read-only
                reader.execute("INSERT INTO t VALUES ('x')")
            engine.close_readers()
            with self.assertRaises(sqlite3.ProgrammingError):
                reader.execute("SELECT 1")
