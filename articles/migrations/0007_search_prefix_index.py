"""SQLite: the FTS5 search table again, with a one-character prefix index (``prefix='1'``):
one-character terms read one list instead of merging every bigram they start. Every article
is indexed again. Nothing changes on PostgreSQL."""
from django.db import migrations

OLD_FTS_SQL = (
    "CREATE VIRTUAL TABLE articles_search USING fts5("
    "title, headings, body, content='', tokenize='ascii', detail=full)"
)


def _recreate(apps, schema_editor, fts_sql):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from articles.search import sqlite as engine

    engine.register_functions(connection=connection)
    with connection.cursor() as cursor:
        for sql in engine.DROP_SQL[:3] + [engine.DROP_SQL[4]]:  # triggers and the FTS table
            cursor.execute(sql)
        cursor.execute(fts_sql)
        for sql in engine.TRIGGER_SQL:
            cursor.execute(sql)
        Article = apps.get_model("articles", "Article")
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):
            rows = Article.objects.filter(pk__in=ids[start:start + 1000]).values_list(
                "pk", "title", "sections", "text"
            )
            engine.index_rows(rows, cursor, replace=False)
        engine.optimise(cursor)


def forwards(apps, schema_editor):
    from articles.search import sqlite as engine

    _recreate(apps, schema_editor, engine.FTS_SQL)


def backwards(apps, schema_editor):
    _recreate(apps, schema_editor, OLD_FTS_SQL)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_article_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
