"""PostgreSQL: GIN indexes on the title and heading vectors of the search table, for the
title and heading tiers of ranked pages (``articles.search.postgres.page_ids``). Nothing
changes on SQLite."""
from django.db import migrations

INDEXES = ("title", "heads")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in INDEXES:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS articles_search_{column}_gin"
                f" ON articles_search USING gin ({column})"
            )
        cursor.execute("ANALYZE articles_search")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS articles_search_{column}_gin")


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_prefix_index")]

    operations = [migrations.RunPython(forwards, backwards)]
