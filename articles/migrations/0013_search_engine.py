"""The search index, its SQL frozen here, per database vendor (``articles.search`` only reads
and writes its rows).

Whatever came before is dropped first (the index of migrations 0004–0012, whose SQLite
triggers called Python functions), so a fresh database and an upgraded one end identical.
Indexing runs in Python (``articles.search.backends``); no trigger calls application code.
A library that has articles is indexed after ``migrate`` (``articles.apps``: the index
state is empty), or by ``manage.py rebuild_search_index``.
"""
from django.db import migrations, models

# What every vendor keeps beside its index: the digest each article was indexed with
# (``articles.search.documents``), for ``check_search_index``.
STATE = """CREATE TABLE articles_search_state (
    article_id bigint NOT NULL PRIMARY KEY,
    digest varchar(32) NOT NULL
)"""

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_search_au",
    "DROP TRIGGER IF EXISTS articles_search_ad",
    "DROP TRIGGER IF EXISTS articles_search_ai",
    "DROP INDEX IF EXISTS articles_search_cover",
    "DROP TABLE IF EXISTS articles_search",
    "DROP TABLE IF EXISTS articles_search_heads",
    "DROP TABLE IF EXISTS articles_search_members",
    "DROP TABLE IF EXISTS articles_search_members_heads",
    "DROP TABLE IF EXISTS articles_search_preview",
    "DROP TABLE IF EXISTS articles_search_state",
]
# Contentless FTS5 tables of our tokens: the whole article and its title and headings (the
# ranking tiers), for ordinary articles and, apart, for members-only ones; the title and
# free preview of members-only articles (what the public may match).
SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE articles_search USING fts5(title, headings, body, content='',
        tokenize='ascii', detail=full, prefix='1')""",
    """CREATE VIRTUAL TABLE articles_search_heads USING fts5(title, headings, content='',
        tokenize='ascii', detail=full, prefix='1')""",
    """CREATE VIRTUAL TABLE articles_search_members USING fts5(title, headings, body,
        content='', tokenize='ascii', detail=full, prefix='1')""",
    """CREATE VIRTUAL TABLE articles_search_members_heads USING fts5(title, headings,
        content='', tokenize='ascii', detail=full, prefix='1')""",
    """CREATE VIRTUAL TABLE articles_search_preview USING fts5(title, headings, body,
        content='', tokenize='ascii', detail=full, prefix='1')""",
    STATE,
]

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS articles_search_at ON articles_article",
    "DROP TRIGGER IF EXISTS articles_search_ad ON articles_article",
    "DROP FUNCTION IF EXISTS articles_search_forget()",
    "DROP FUNCTION IF EXISTS articles_search_match(tsquery, tsquery, text[])",
    "DROP FUNCTION IF EXISTS articles_search_match(tsquery, text[])",
    "DROP INDEX IF EXISTS articles_search_cover",
    "DROP TABLE IF EXISTS articles_search_grams",
    "DROP TABLE IF EXISTS articles_search",
    "DROP TABLE IF EXISTS articles_search_preview",
    "DROP TABLE IF EXISTS articles_search_state",
]
POSTGRES_CREATE = [
    # Positional vectors: the whole article (``doc``), its title and its headings; a very
    # long article (past a tsvector's limits) is ``long`` and matched on its skeleton text.
    """CREATE TABLE articles_search (
        article_id bigint PRIMARY KEY,
        doc tsvector NOT NULL,
        title tsvector NOT NULL,
        heads tsvector NOT NULL,
        long boolean NOT NULL DEFAULT false,
        skel text,
        members_only boolean NOT NULL DEFAULT false
    )""",
    "CREATE INDEX articles_search_long ON articles_search (article_id) WHERE long",
    "CREATE INDEX articles_search_title_gin ON articles_search USING gin (title)",
    "CREATE INDEX articles_search_heads_gin ON articles_search USING gin (heads)",
    # Every substring of 1 to 6 characters of each run, without positions, and the marked
    # grams of title (^) and headings (~): one narrow row per article; the vectors out of
    # line, read only to build the GIN indexes.
    """CREATE TABLE articles_search_grams (
        article_id bigint PRIMARY KEY,
        grams tsvector NOT NULL,
        tiers tsvector NOT NULL,
        members_only boolean NOT NULL DEFAULT false
    )""",
    """ALTER TABLE articles_search_grams ALTER COLUMN grams SET STORAGE EXTERNAL,
        ALTER COLUMN tiers SET STORAGE EXTERNAL""",
    "CREATE INDEX articles_search_grams_gin ON articles_search_grams USING gin (grams)",
    "CREATE INDEX articles_search_grams_tiers_gin ON articles_search_grams USING gin (tiers)",
    # Title and free preview of the members-only articles: what the public may match.
    """CREATE TABLE articles_search_preview (
        article_id bigint PRIMARY KEY,
        doc tsvector NOT NULL,
        title tsvector NOT NULL
    )""",
    "CREATE INDEX articles_search_preview_gin ON articles_search_preview USING gin (doc)",
    STATE,
    # The matching ids: ``g`` on the grams (exact for terms of up to 6 characters, a filter
    # for longer ones), ``q`` the positional check of longer terms and phrases (NULL when
    # none), ``skels`` what a long article's skeleton must contain. Its own planner settings:
    # the planner would otherwise scan a table for a common term, where the GIN index
    # answers without reading any vector, and check positions by a hash join of every
    # article with the term's bigrams instead of the few its grams admit.
    """CREATE FUNCTION articles_search_match(g tsquery, q tsquery, skels text[])
    RETURNS TABLE (article_id bigint, members_only boolean) LANGUAGE sql STABLE PARALLEL SAFE
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
        SELECT article_id, members_only FROM articles_search_grams WHERE q IS NULL
            AND grams @@ g
        UNION ALL
        (WITH c AS MATERIALIZED (SELECT article_id FROM articles_search_grams
                WHERE q IS NOT NULL AND grams @@ g)
            SELECT s.article_id, s.members_only FROM c JOIN articles_search s
                ON s.article_id = c.article_id WHERE s.doc @@ q)
        UNION ALL
        SELECT article_id, members_only FROM articles_search WHERE long
            AND NOT EXISTS (SELECT 1 FROM unnest(skels) AS x WHERE strpos(skel, x) = 0)
    $$""",
    # Deletes from any client (Django's cascades included) and truncation take the index
    # rows with them: plpgsql, no application code. Not foreign keys: Django's flush
    # truncates articles_article and knows nothing of these tables.
    """CREATE FUNCTION articles_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE articles_search, articles_search_grams, articles_search_preview,
                articles_search_state;
        ELSE
            DELETE FROM articles_search WHERE article_id = OLD.id;
            DELETE FROM articles_search_grams WHERE article_id = OLD.id;
            DELETE FROM articles_search_preview WHERE article_id = OLD.id;
            DELETE FROM articles_search_state WHERE article_id = OLD.id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER articles_search_ad AFTER DELETE ON articles_article
        FOR EACH ROW EXECUTE FUNCTION articles_search_forget()""",
    """CREATE TRIGGER articles_search_at AFTER TRUNCATE ON articles_article
        FOR EACH STATEMENT EXECUTE FUNCTION articles_search_forget()""",
]


class VendorSQL(migrations.RunSQL):
    """``RunSQL`` that runs on one database vendor only."""

    def __init__(self, vendor, sql, reverse_sql=None):
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_squashed_0012_agency_alias")]

    operations = [
        VendorSQL("sqlite", SQLITE_DROP + SQLITE_CREATE, list(reversed(SQLITE_DROP))),
        VendorSQL("postgresql", POSTGRES_DROP + POSTGRES_CREATE, POSTGRES_DROP),
        # What search restricts, joins, counts facets and orders by, so the matches of a
        # query never read article rows: a model index now, so SQLite's table remakes keep it.
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["id", "status", "compilation", "published_at", "agency", "year",
                        "members_only"],
                name="article_search_cover",
            ),
        ),
    ]
