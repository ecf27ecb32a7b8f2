"""Writes from elsewhere: an import run in another process is seen by this process's next
request with the default settings (no shared cache), and two imports of one file at once
leave one compilation. Both need committed data: TransactionTestCase."""
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from articles.importer import import_compilation
from articles.models import Compilation

from .importer.helpers import STYLES

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "articles" / "demo"


def database_url() -> str:
    """The URL of the test database, for a process started with the real settings."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class OtherProcessTests(TransactionTestCase):
    def total(self, client) -> int:
        page = client.get(reverse("articles:list")).content.decode()
        return int(re.search(r"共\s*(\d+)\s*篇", page)[1])

    def test_an_import_in_another_process_shows_in_this_ones_next_request(self):
        self.assertEqual(settings.CACHES["default"]["BACKEND"],
                         "django.core.cache.backends.locmem.LocMemCache")
        import_compilation(DEMO / "01_清廉机关建设.txt", publish=True)
        client = Client()
        before = self.total(client)  # now cached in this process
        self.assertGreater(before, 0)
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        env["DATABASE_URL"] = database_url()
        done = subprocess.run(
            [sys.executable, "manage.py", "import_compilation", str(DEMO / "02_学习型机关创建.txt"),
             "--publish"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        added = Compilation.objects.get(title__contains="学习型").articles.count()
        self.assertEqual(self.total(client), before + added)


class ConcurrentImportTests(TransactionTestCase):
    def import_at_once(self, data: bytes, n: int = 2, publish=False) -> list:
        """``n`` imports of the same bytes started together, each in its own thread and
        database connection."""
        barrier = threading.Barrier(n)
        results, errors = [None] * n, []

        def run(i):
            try:
                barrier.wait(timeout=10)
                results[i] = import_compilation(data, filename="同一文件.txt", publish=publish)
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])
        return results

    def test_two_imports_of_one_file_at_once_give_one_compilation(self):
        data = STYLES.read_bytes()
        for round_ in range(3):
            with self.subTest(round=round_):
                Compilation.objects.all().delete()
                results = self.import_at_once(data, publish=round_ == 2)
                self.assertEqual(Compilation.objects.count(), 1)
                self.assertEqual(sorted(r.status for r in results), ["created", "unchanged"])
                compilation = Compilation.objects.get()
                self.assertEqual(compilation.articles.count(), 4)
