"""The README's backup and restore, done: an online copy of the SQLite file (the backup API
the `sqlite3` shell's `.backup` uses) and pg_dump / pg_restore into a new PostgreSQL
database; the restored library has every article and a search index that check_search_index
finds current, and it answers a search."""
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_article, make_compilation

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("seeded_transactional_db")


def manage(*args, database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def library():
    compilation = make_compilation(title="备份与恢复测试汇编")
    for n in range(5):
        make_article(title=f"县审计局“三化”发力第{n}篇", compilation=compilation,
                     original_text=f"今年以来，县审计局推进清廉机关建设，第{n}项举措落地。")


def assert_restored(url):
    """The restored library's index is current (check_search_index exits 0) and answers."""
    checked = manage("check_search_index", database_url=url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    found = manage("shell", "-c",
                   "from articles.models import Article; from articles.search import "
                   "search_articles; print('FOUND', search_articles(Article.objects.all(), "
                   "'三化').count())", database_url=url)
    assert "FOUND 5" in found.stdout, found.stdout + found.stderr


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                    reason="the SQLite half; this run is on PostgreSQL")
def test_sqlite_backup_and_restore(tmp_path):
    library()
    source = settings.DATABASES["default"]["NAME"]
    copy = tmp_path / "backup.sqlite3"
    with sqlite3.connect(source) as live, sqlite3.connect(copy) as backup:
        live.backup(backup)  # online and consistent, the server may keep writing
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(copy, restored)
    url = f"sqlite:///{restored}"
    assert_restored(url)


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="the PostgreSQL half; this run is on SQLite")
def test_postgres_dump_and_restore(tmp_path):
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    library()
    db = settings.DATABASES["default"]
    base = f"postgres://{db.get('USER') or 'postgres'}@{db['HOST']}:{db.get('PORT') or 5432}"
    dump = tmp_path / "huibian.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), f"{base}/{db['NAME']}"], check=True,
                   timeout=300)
    target = f"{db['NAME']}_restored"
    subprocess.run(["dropdb", "--if-exists", "-h", db["HOST"], "-p", str(db.get("PORT") or 5432),
                    "-U", db.get("USER") or "postgres", target], check=True)
    subprocess.run(["createdb", "-h", db["HOST"], "-p", str(db.get("PORT") or 5432),
                    "-U", db.get("USER") or "postgres", target], check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", f"{base}/{target}", str(dump)],
                       check=True, timeout=300)
        url = f"{base}/{target}"
        assert_restored(url)
    finally:
        subprocess.run(["dropdb", "--if-exists", "-h", db["HOST"],
                        "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres",
                        target], check=False)
