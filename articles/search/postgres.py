"""PostgreSQL backend: our tokens as a positional ``tsvector`` under a GIN index.

``articles_search`` has one row per article (``article_id``;
a trigger deletes the row with its article, so deletes and cascades need nothing from us):

- ``doc``: title, headings and body tokens with positions (a gap of one position between
  fields, so a phrase never spans two); GIN-indexed, it answers the match;
- ``title``, ``heads``: small vectors of the title and the headings, GIN-indexed, for the
  ranking tiers (``page_ids``);
- ``long`` and ``skel``: a tsvector keeps at most 256 positions per lexeme and none past
  16,383, so phrases in a very long article could be missed; such an article is flagged and
  matched exactly on its skeleton text (``tokenise.skeleton``) instead.

Inserts and updates are indexed by ``index_articles`` (called on ``post_save`` and by the
importer after ``bulk_create``), inside the caller's transaction.
"""
from django.db import connection

from .tokenise import (
    SEPARATOR,
    atom_skeleton,
    atom_tokens,
    document_fields,
    normalise,
    run_tokens,
    runs,
    skeleton,
)

TABLE = "articles_search"
PAGE_NEEDS_TOTAL = True  # ``page_ids`` chooses its plan by the number of matches
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
FIELD_SEPARATOR = "\x02"

CREATE_SQL = [
    f"""CREATE TABLE {TABLE} (
        article_id bigint PRIMARY KEY,
        doc tsvector NOT NULL,
        title tsvector NOT NULL,
        heads tsvector NOT NULL,
        long boolean NOT NULL DEFAULT false,
        skel text
    )""",
    f"CREATE INDEX {TABLE}_doc_gin ON {TABLE} USING gin (doc)",
    f"CREATE INDEX {TABLE}_long ON {TABLE} (article_id) WHERE long",
    # The title and heading tiers of a common term: few rows, found without reading bodies.
    f"CREATE INDEX IF NOT EXISTS {TABLE}_title_gin ON {TABLE} USING gin (title)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_heads_gin ON {TABLE} USING gin (heads)",
    # What search filters, joins and orders by, so matched articles are found with index-only
    # scans instead of reading each article's row.
    f"""CREATE INDEX {TABLE}_cover ON articles_article (id)
        INCLUDE (status, compilation_id, published_at, agency_id, year, members_only)""",
    # Deletes (Django's cascades included) and truncation follow the articles. Not a foreign
    # key: Django's flush truncates articles_article and knows nothing of this table.
    f"""CREATE FUNCTION {TABLE}_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN DELETE FROM {TABLE};
        ELSE DELETE FROM {TABLE} WHERE article_id = OLD.id; END IF;
        RETURN NULL;
    END $$""",
    # The matching article ids. A function with its own planner setting: the planner
    # would otherwise scan the table for a common term, reading every article's vector
    # (hundreds of ms), where the GIN index answers without reading any.
    f"""CREATE FUNCTION {TABLE}_match(q tsquery, skels text[]) RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE SET enable_seqscan = off AS $$
        SELECT article_id FROM {TABLE} WHERE doc @@ q AND (skels IS NULL OR NOT long)
        UNION ALL
        SELECT article_id FROM {TABLE} WHERE skels IS NOT NULL AND long
            AND NOT EXISTS (SELECT 1 FROM unnest(skels) AS x WHERE strpos(skel, x) = 0)
    $$""",
    f"""CREATE TRIGGER {TABLE}_ad AFTER DELETE ON articles_article
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_forget()""",
    f"""CREATE TRIGGER {TABLE}_at AFTER TRUNCATE ON articles_article
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_forget()""",
]
DROP_SQL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_at ON articles_article",
    f"DROP TRIGGER IF EXISTS {TABLE}_ad ON articles_article",
    f"DROP FUNCTION IF EXISTS {TABLE}_forget()",
    f"DROP FUNCTION IF EXISTS {TABLE}_match(tsquery, text[])",
    f"DROP INDEX IF EXISTS {TABLE}_cover",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _tokens(text):
    out = []
    for run in runs(normalise(text)):
        out.extend(run_tokens(run))
    return out


def _vector(token_lists) -> tuple[str, bool]:
    """A tsvector literal of several token lists (one gap position between them), and
    whether it lost positions (too long for a tsvector)."""
    positions, pos, lossy = {}, 0, False
    for toks in token_lists:
        for tok in toks:
            pos += 1
            positions.setdefault(tok, []).append(pos)
        pos += 1
    if pos > MAX_POSITION:
        lossy = True
    parts = []
    for tok, where in positions.items():
        if len(where) > MAX_POSITIONS_PER_LEXEME:
            lossy = True
        kept = ",".join(str(min(p, MAX_POSITION)) for p in where[:MAX_POSITIONS_PER_LEXEME])
        parts.append(f"'{tok}':{kept}")
    return " ".join(parts), lossy


def row_values(pk, title, sections, text):
    """The search row of one article."""
    title_f, headings_f, body_f = document_fields(title, sections, text)
    title_t, heads_t, body_t = _tokens(title_f), _tokens(headings_f), _tokens(body_f)
    doc, lossy = _vector([title_t, heads_t, body_t])
    skel = None
    if lossy:
        skel = FIELD_SEPARATOR.join(
            skeleton(normalise(f)) for f in (title_f, headings_f, body_f)
        )
    return (pk, doc, _vector([title_t])[0], _vector([heads_t])[0], lossy, skel)


def index_rows(rows, cursor, *, replace=True):
    values = [row_values(*row) for row in rows]
    if not values:
        return
    cursor.executemany(
        f"""INSERT INTO {TABLE} (article_id, doc, title, heads, long, skel)
        VALUES (%s, %s::tsvector, %s::tsvector, %s::tsvector, %s, %s)
        ON CONFLICT (article_id) DO UPDATE SET doc = EXCLUDED.doc, title = EXCLUDED.title,
            heads = EXCLUDED.heads, long = EXCLUDED.long, skel = EXCLUDED.skel""",
        values,
    )


def _needs_positions(atom) -> bool:
    """Whether an atom is a phrase of several tokens (a long article may have lost the
    positions it needs); a single token or prefix is exact in any article."""
    return len(atom_tokens(atom)[0]) > 1


def _tsquery(atom) -> str:
    toks, prefix = atom_tokens(atom)
    quoted = [f"'{tok}'" for tok in toks]
    if prefix:
        quoted[-1] += ":*"
    return " <-> ".join(quoted)


def tsquery_all(parsed) -> str:
    return " & ".join(f"({_tsquery(atom)})" for atom in parsed.atoms)


def tsquery_any(parsed) -> str:
    return " | ".join(f"({_tsquery(atom)})" for atom in parsed.atoms)


def _skels(parsed):
    """Lexemes alone are exact in any article; phrases fall back to the skeleton text in
    articles whose vector lost positions."""
    if any(_needs_positions(atom) for atom in parsed.atoms):
        return [atom_skeleton(a) for a in parsed.atoms]
    return None


def _rank_sql(t):
    """Tiers without reading any body: 2 some term in the title, 1 some term in a heading,
    0 the body alone (as on SQLite); newest first within a tier."""
    return (
        f"(CASE WHEN {t}.title @@ %s::tsquery THEN 2"
        f" WHEN {t}.heads @@ %s::tsquery THEN 1 ELSE 0 END)"
    )


def search(queryset, parsed, *, ranked=True):
    """``queryset`` restricted to the matches, annotated ``search_rank`` when ``ranked``."""
    t = connection.ops.quote_name(TABLE)
    article = connection.ops.quote_name(queryset.model._meta.db_table)
    match = f"{article}.id IN (SELECT {TABLE}_match(%s::tsquery, %s::text[]))"
    params = [tsquery_all(parsed), _skels(parsed)]
    if not ranked:
        return queryset.extra(where=[match], params=params)
    any_q = tsquery_any(parsed)
    return queryset.extra(
        select={"search_rank": _rank_sql(t)},
        select_params=[any_q, any_q],
        tables=[TABLE],
        where=[f"{t}.article_id = {article}.id", match],
        params=params,
    )


def _restriction(restrict, column):
    if restrict is None:
        return "", []
    sql, params = restrict
    return f" AND {column} {sql}", list(params)


def _matches_sql(select, parsed, restrict):
    """One query over the matches ``restrict`` admits; ``count`` and ``ids`` share it."""
    where, params = _restriction(restrict, "m.id")
    return (
        f"SELECT {select} FROM {TABLE}_match(%s::tsquery, %s::text[]) AS m(id) WHERE true{where}",
        [tsquery_all(parsed), _skels(parsed), *params],
    )


def count(parsed, restrict=None) -> int:
    """Matches among the articles ``restrict`` admits (see ``sqlite.count``)."""
    with connection.cursor() as cursor:
        cursor.execute(*_matches_sql("count(*)", parsed, restrict))
        return cursor.fetchone()[0]


def ids(parsed, restrict=None) -> list[int]:
    """The ids of every match (unordered), as ``count`` counts them."""
    with connection.cursor() as cursor:
        cursor.execute(*_matches_sql("m.id", parsed, restrict))
        return [row[0] for row in cursor.fetchall()]


# Up to this many matches, every match is ranked (found through the GIN index); above it,
# tier by tier with the planner free to walk the newest articles first and stop at the page.
RANK_ALL_MAX = 5000


def _match_sql(t):
    """Condition for a search row ``t`` matching (the ``_match`` function's, inline)."""
    return (
        f"(({t}.doc @@ %s::tsquery AND (%s::text[] IS NULL OR NOT {t}.long))"
        f" OR (%s::text[] IS NOT NULL AND {t}.long AND NOT EXISTS"
        f" (SELECT 1 FROM unnest(%s::text[]) AS x WHERE strpos({t}.skel, x) = 0)))"
    )


def page_ids(parsed, offset, limit, restrict=None, total=None) -> list[int]:
    """Ids of ranked matches ``offset`` to ``offset + limit`` (tiers, then newest)."""
    where, params = _restriction(restrict, "s.article_id")
    any_q, all_q, skels = tsquery_any(parsed), tsquery_all(parsed), _skels(parsed)
    wanted = offset + limit
    with connection.cursor() as cursor:
        if total is not None and total <= RANK_ALL_MAX:
            cursor.execute(
                f"SELECT s.article_id FROM {TABLE} s"
                f" WHERE s.article_id IN (SELECT {TABLE}_match(%s::tsquery, %s::text[])){where}"
                f" ORDER BY {_rank_sql('s')} DESC, s.article_id DESC LIMIT %s OFFSET %s",
                [all_q, skels, *params, any_q, any_q, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]
        match = _match_sql("s")
        match_params = [all_q, skels, skels, skels]
        tiers = [
            ("s.title @@ %s::tsquery", [any_q]),
            ("s.heads @@ %s::tsquery AND NOT s.title @@ %s::tsquery", [any_q, any_q]),
            ("NOT s.title @@ %s::tsquery AND NOT s.heads @@ %s::tsquery", [any_q, any_q]),
        ]
        # One atom found in the title (heading) vector is in the document vector too: the
        # same tokens at the same relative positions, unless the article lost positions
        # (``long``). So those tiers need not re-read the document vector of every candidate
        # (a common phrase in 24,000 headings: 240 ms).
        implied = f"(NOT s.long OR {match})" if len(parsed.atoms) == 1 else match
        selects, all_params = [], []
        for n, (condition, condition_params) in enumerate(tiers):
            selects.append(
                f"(SELECT {n} AS tier, s.article_id FROM {TABLE} s"
                f" WHERE {condition} AND {implied if n < 2 else match}{where}"
                f" ORDER BY s.article_id DESC LIMIT %s)"
            )
            all_params += [*condition_params, *match_params, *params, wanted]
        cursor.execute(" UNION ALL ".join(selects), all_params)
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], -row[1]))
    return [pk for _tier, pk in rows[offset:wanted]]


def clear(cursor):
    """Empty the table and drop the GIN index: building it once at the end is much faster."""
    cursor.execute(f"DROP INDEX IF EXISTS {TABLE}_doc_gin")
    cursor.execute(f"TRUNCATE {TABLE}")


def optimise(cursor):
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute(CREATE_SQL[1].replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
    cursor.execute(f"ANALYZE {TABLE}")


def before_bulk_load(cursor):
    """Nothing to do: ``bulk_create`` sends no signal, so nothing is indexed row by row."""


def after_bulk_load(cursor):
    pass


def index_size_bytes(cursor) -> int:
    cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
    return int(cursor.fetchone()[0] or 0)


__all__ = ["SEPARATOR"]
