"""SQLite: a second, small FTS5 table of titles and headings (``articles_search_heads``) for
the ranking tiers, filled from every article; the index triggers feed both tables. Nothing
changes on PostgreSQL."""
import importlib

from django.db import migrations

TABLE = "articles_search"
HEADS = "articles_search_heads"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from articles.search import sqlite as engine

    engine.register_functions(connection=connection)
    with connection.cursor() as cursor:
        for name in ("au", "ad", "ai"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")
        cursor.execute(engine.HEADS_SQL)
        cursor.execute(f"INSERT INTO {HEADS}({HEADS}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {HEADS}(rowid, title, headings) SELECT id,"
            " hb_search_tokens(title), hb_search_headings(sections)"
            " FROM articles_article ORDER BY id"
        )
        cursor.execute(f"INSERT INTO {HEADS}({HEADS}) VALUES ('optimize')")
        for sql in engine.TRIGGER_SQL:
            cursor.execute(sql)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    previous = importlib.import_module("articles.migrations.0007_search_prefix_index")
    with connection.cursor() as cursor:
        for name in ("au", "ad", "ai"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")
        cursor.execute(f"DROP TABLE IF EXISTS {HEADS}")
        for sql in previous.TRIGGER_SQL:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_search_tier_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
