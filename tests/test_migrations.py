"""``migrate`` from an empty database and from the migrations as they stood before they were
squashed (0001–0012, the schema of main then, kept as a dump in ``tests/fixtures/schema``)
end in the same schema, search index included, on the database the suite runs on.

Each database is made by ``manage.py migrate`` in a subprocess, as an operator would run it.
"""
import gzip
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

import psycopg
from django.db import connection
from django.test import SimpleTestCase

REPO = Path(__file__).resolve().parent.parent
DUMPS = Path(__file__).resolve().parent / "fixtures" / "schema"


def migrate(url):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "compilation.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=REPO,
                   env=env, check=True, capture_output=True, timeout=600)


def squeeze(sql):
    return re.sub(r"\s+", " ", sql or "").strip()


def sqlite_schema(path):
    with sqlite3.connect(path) as db:
        objects = db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
        out = set()
        for kind, name, table, sql in objects:
            if kind == "table" and not (sql or "").upper().startswith("CREATE VIRTUAL"):
                # Columns as a set: an upgraded table may hold them in another order.
                for column in db.execute(f'PRAGMA table_info("{name}")'):
                    out.add(("column", name, *column[1:]))
                for fk in db.execute(f'PRAGMA foreign_key_list("{name}")'):
                    out.add(("foreign key", name, *fk[2:]))
            elif kind == "index" and sql is None:
                columns = [r[2] for r in db.execute(f'PRAGMA index_info("{name}")')]
                out.add(("unique", table, tuple(columns)))
            else:
                out.add((kind, name, table, squeeze(sql)))
        return out


def pg_schema(dsn):
    queries = {
        "column": """SELECT table_name, column_name, data_type, is_nullable, column_default,
            character_maximum_length FROM information_schema.columns
            WHERE table_schema = 'public'""",
        "index": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
        "constraint": """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'public'""",
        "trigger": """SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
            FROM pg_trigger WHERE NOT tgisinternal""",
        "function": """SELECT p.proname, pg_get_function_identity_arguments(p.oid),
            pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n
            ON n.oid = p.pronamespace WHERE n.nspname = 'public'""",
        "storage": """SELECT c.relname, a.attname, a.attstorage FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0
            AND NOT a.attisdropped""",
    }
    with psycopg.connect(dsn) as db:
        return {(kind, *map(squeeze_value, row)) for kind, sql in queries.items()
                for row in db.execute(sql).fetchall()}


def squeeze_value(value):
    return squeeze(value) if isinstance(value, str) else value


class MigrationsEndIdentical(SimpleTestCase):
    def test_fresh_and_upgraded_sqlite_databases_have_the_same_schema(self):
        if connection.vendor != "sqlite":
            raise unittest.SkipTest("the SQLite half; the suite runs on PostgreSQL")
        with tempfile.TemporaryDirectory() as tmp:
            fresh, upgraded = Path(tmp, "fresh.sqlite3"), Path(tmp, "upgraded.sqlite3")
            migrate(f"sqlite:///{fresh}")
            with sqlite3.connect(upgraded) as db:
                db.executescript(gzip.decompress(
                    (DUMPS / "main-0012.sqlite.sql.gz").read_bytes()).decode())
            before = sqlite_schema(upgraded)
            migrate(f"sqlite:///{upgraded}")
            after, expected = sqlite_schema(upgraded), sqlite_schema(fresh)
        self.assertEqual(after - expected, set())
        self.assertEqual(expected - after, set())
        # The upgrade did change something: the old triggers calling Python are gone.
        self.assertTrue(any(kind == "trigger" for kind, *_ in before))
        self.assertFalse(any(kind == "trigger" for kind, *_ in after))

    def test_fresh_and_upgraded_postgresql_databases_have_the_same_schema(self):
        if connection.vendor != "postgresql":
            raise unittest.SkipTest("the PostgreSQL half; the suite runs on SQLite")
        settings = connection.settings_dict
        server = {"user": settings["USER"], "password": settings["PASSWORD"],
                  "host": settings["HOST"], "port": settings["PORT"] or None}
        names = [f"huibian_schema_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("fresh", "up")]

        def dsn(name):
            return psycopg.conninfo.make_conninfo(dbname=name, **{
                k: v for k, v in server.items() if v})

        def url(name):
            auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            return (f"postgres://{auth}@{settings['HOST'] or 'localhost'}:"
                    f"{settings['PORT'] or 5432}/{name}")

        with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
            for name in names:
                admin.execute(f'CREATE DATABASE "{name}"')
        try:
            fresh, upgraded = names
            migrate(url(fresh))
            with psycopg.connect(dsn(upgraded), autocommit=True) as db:
                db.execute(gzip.decompress(
                    (DUMPS / "main-0012.postgres.sql.gz").read_bytes()).decode())
            before = pg_schema(dsn(upgraded))
            migrate(url(upgraded))
            after, expected = pg_schema(dsn(upgraded)), pg_schema(dsn(fresh))
        finally:
            with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
                for name in names:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.assertEqual(after - expected, set())
        self.assertEqual(expected - after, set())
        self.assertNotEqual(before, after)  # the upgrade did change the search index
