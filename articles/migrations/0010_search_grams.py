"""PostgreSQL: the grams table (``articles.search.postgres``): every substring of 1 to 6
characters of an article's runs as a lexeme, so a term of up to 6 characters is answered by
the GIN index without re-reading positions; longer terms and phrases are checked on the
document vector of the articles their grams admit, so its GIN index goes. The match function
takes the grams query; the index is rebuilt (~5 minutes per 100,000 articles). Nothing
changes on SQLite."""
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search import postgres

    Article = apps.get_model("articles", "Article")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION IF EXISTS {postgres.TABLE}_match(tsquery, text[])")
        cursor.execute(f"DROP FUNCTION IF EXISTS {postgres.TABLE}_match(tsquery, tsquery, text[])")
        for sql in postgres.GRAMS_SQL:
            cursor.execute(sql)
        cursor.execute(postgres.MATCH_FUNCTION_SQL)
        cursor.execute(postgres.FORGET_FUNCTION_SQL)
        # Positions are now checked only in the few articles the grams admit, by article id.
        cursor.execute(f"DROP INDEX IF EXISTS {postgres.TABLE}_doc_gin")
        postgres.clear(cursor)
        rows = Article.objects.order_by("pk").values_list("pk", "title", "sections", "text")
        batch = []
        for row in rows.iterator(chunk_size=1000):
            batch.append(row)
            if len(batch) >= 1000:
                postgres.index_rows(batch, cursor, replace=False)
                batch = []
        postgres.index_rows(batch, cursor, replace=False)
        postgres.optimise(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search import postgres

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION IF EXISTS {postgres.TABLE}_match(tsquery, tsquery, text[])")
        cursor.execute(f"DROP TABLE IF EXISTS {postgres.GRAMS}")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {postgres.TABLE}_doc_gin"
                       f" ON {postgres.TABLE} USING gin (doc)")
        cursor.execute(f"""CREATE FUNCTION {postgres.TABLE}_match(q tsquery, skels text[])
            RETURNS SETOF bigint LANGUAGE sql STABLE PARALLEL SAFE SET enable_seqscan = off
            AS $$
                SELECT article_id FROM {postgres.TABLE}
                    WHERE doc @@ q AND (skels IS NULL OR NOT long)
                UNION ALL
                SELECT article_id FROM {postgres.TABLE} WHERE skels IS NOT NULL AND long
                    AND NOT EXISTS (SELECT 1 FROM unnest(skels) AS x WHERE strpos(skel, x) = 0)
            $$""")
        cursor.execute(f"""CREATE OR REPLACE FUNCTION {postgres.TABLE}_forget() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN DELETE FROM {postgres.TABLE};
                ELSE DELETE FROM {postgres.TABLE} WHERE article_id = OLD.id; END IF;
                RETURN NULL;
            END $$""")


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_search_heads_index")]

    operations = [migrations.RunPython(forwards, backwards)]
