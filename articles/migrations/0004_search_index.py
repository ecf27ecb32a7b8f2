"""The full-text search index (articles.search): FTS5 table and triggers on SQLite, a
tsvector table with a GIN index on PostgreSQL. Existing articles are indexed."""
from django.db import migrations


def _backend(schema_editor):
    from articles.search import backend

    return backend(schema_editor.connection)


def create(apps, schema_editor):
    engine = _backend(schema_editor)
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        engine.register_functions(connection=connection)
    with connection.cursor() as cursor:
        for sql in engine.CREATE_SQL:
            cursor.execute(sql)
        Article = apps.get_model("articles", "Article")
        rows = Article.objects.values_list("pk", "title", "sections", "text").iterator()
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 1000:
                engine.index_rows(batch, cursor, replace=False)
                batch = []
        engine.index_rows(batch, cursor, replace=False)


def drop(apps, schema_editor):
    engine = _backend(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        for sql in engine.DROP_SQL:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_theme_vocabulary")]

    operations = [migrations.RunPython(create, drop)]
