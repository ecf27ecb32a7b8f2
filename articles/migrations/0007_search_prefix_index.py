"""SQLite: the FTS5 search table again, with a one-character prefix index (``prefix='1'``):
one-character terms read one list instead of merging every bigram they start. Every article
is indexed again. Nothing changes on PostgreSQL. The SQL is frozen here (the triggers as they
were at this migration; 0009 replaces them)."""
from django.db import migrations

TABLE = "articles_search"
OLD_FTS_SQL = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "title, headings, body, content='', tokenize='ascii', detail=full)"
)
NEW_FTS_SQL = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "title, headings, body, content='', tokenize='ascii', detail=full, prefix='1')"
)
_NEW = ("new.id, hb_search_tokens(new.title), hb_search_headings(new.sections), "
        "hb_search_tokens(new.text)")
_OLD = ("'delete', old.id, hb_search_tokens(old.title), hb_search_headings(old.sections), "
        "hb_search_tokens(old.text)")
TRIGGER_SQL = [
    f"""CREATE TRIGGER {TABLE}_ai AFTER INSERT ON articles_article BEGIN
      INSERT INTO {TABLE}(rowid, title, headings, body) VALUES ({_NEW});
    END""",
    f"""CREATE TRIGGER {TABLE}_ad AFTER DELETE ON articles_article BEGIN
      INSERT INTO {TABLE}({TABLE}, rowid, title, headings, body) VALUES ({_OLD});
    END""",
    f"""CREATE TRIGGER {TABLE}_au AFTER UPDATE OF title, sections, text ON articles_article
    WHEN old.title IS NOT new.title OR old.sections IS NOT new.sections
      OR old.text IS NOT new.text OR old.id IS NOT new.id BEGIN
      INSERT INTO {TABLE}({TABLE}, rowid, title, headings, body) VALUES ({_OLD});
      INSERT INTO {TABLE}(rowid, title, headings, body) VALUES ({_NEW});
    END""",
]


def _recreate(schema_editor, fts_sql):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from articles.search import sqlite as engine

    engine.register_functions(connection=connection)
    with connection.cursor() as cursor:
        for name in ("au", "ad", "ai"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(fts_sql)
        for sql in TRIGGER_SQL:
            cursor.execute(sql)
        cursor.execute(
            f"INSERT INTO {TABLE}(rowid, title, headings, body) SELECT id,"
            " hb_search_tokens(title), hb_search_headings(sections), hb_search_tokens(text)"
            " FROM articles_article ORDER BY id"
        )
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")


def forwards(apps, schema_editor):
    _recreate(schema_editor, NEW_FTS_SQL)


def backwards(apps, schema_editor):
    _recreate(schema_editor, OLD_FTS_SQL)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_article_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
