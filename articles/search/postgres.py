"""PostgreSQL backend: our tokens in ``tsvector`` columns under GIN indexes.

GIN stores no positions: a phrase (``a <-> b``) is answered by re-reading each candidate's
vector from the table, ~4 µs an article, so a phrase in 75,000 articles cost 300 ms. Most
searched terms are short (words, 四字 phrases, slogans such as 高质量发展 or 全面从严治党), so
those are made single lexemes:

``articles_search_grams`` has one narrow row per article (``article_id``, ``grams``): every
distinct substring of 1 to ``GRAM_MAX`` characters of each run of word characters, without
positions. A term of up to ``GRAM_MAX`` characters is one lexeme there: exact, answered by the
GIN index and a scan of a narrow table (a term in 80,000 articles counted in ~20 ms). The
vectors are stored uncompressed out of line (``STORAGE EXTERNAL``: ~24 KB an article, read
only to build the index), so the table itself stays ~8 MB per 100,000 articles; the price is
disk, ~2.8 GB per 100,000 articles of which only the two GIN indexes (~360 MB) are read by
searches (``BENCHMARKS.md``). Longer terms are narrowed by their ``GRAM_MAX``-character
grams and checked on positions, a cost that grows with the number of articles holding them.

``articles_search`` has one row per article too, for what needs positions:

- ``doc``: title, headings and body bigram tokens with positions (a gap of one position
  between fields, so a phrase never spans two): a longer term or a phrase with separators is
  first narrowed by its grams, then checked here;
- ``title``, ``heads``: small vectors of the title and the headings, GIN-indexed, for the
  ranking tiers (``tier_ids``);
- ``long`` and ``skel``: a tsvector keeps at most 256 positions per lexeme and none past
  16,383 (and 1 MB in all), so a very long article is flagged, gets an empty grams vector,
  and is matched exactly on its skeleton text (``tokenise.skeleton``) instead.

``articles_search_preview`` holds, for members-only articles only, a positional vector of
the title and free preview (``documents.preview_fields``): the public scope's second part
(``scope``), small, matched on its GIN index.

Inserts and updates are indexed from Python (``PostgresBackend.index``, through the write
services' hook), inside the writer's transaction; entries are replaced by article id, so no
old values are needed. A plpgsql trigger (no application code) deletes an article's rows
with it, so deletes and cascades from any client need nothing from us.
"""
import heapq
from collections import Counter
from contextlib import contextmanager

import psycopg
from django.db import connection

from .backends import SearchBackend
from .documents import STATE, digest, full_fields, preview_fields
from .query import LooseAtom
from .scope import FREE, FULL
from .scope import MEMBERS as MEMBERS_PART
from .scope import PREVIEW as PREVIEW_PART
from .tokenise import (
    SEPARATOR,
    atom_skeleton,
    atom_tokens,
    normalise,
    run_tokens,
    runs,
    skeleton,
)

TABLE = "articles_search"
GRAMS = "articles_search_grams"
PREVIEW = "articles_search_preview"
GRAM_MAX = 6
MAX_GRAMS_BYTES = 512 * 1024  # a tsvector holds at most 1 MB of lexemes
PAGE_NEEDS_TOTAL = True  # ``tier_ids`` chooses its plan by the number of matches
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
FIELD_SEPARATOR = "\x02"

# The grams' GIN indexes, dropped by ``clear`` and built again by ``optimise`` (the schema
# itself is created by the migrations).
GRAMS_INDEX_SQL = [
    f"CREATE INDEX IF NOT EXISTS {GRAMS}_gin ON {GRAMS} USING gin (grams)",
    f"CREATE INDEX IF NOT EXISTS {GRAMS}_tiers_gin ON {GRAMS} USING gin (tiers)",
]
# In ``tiers``, a gram of the title is marked ``^`` and one of a heading ``~`` (never in a
# run of word characters): the ranking tiers of a term, without positions either.
TITLE_MARK, HEADING_MARK = "^", "~"


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


def _grams(run_lists) -> set[str]:
    """Every distinct substring of 1 to ``GRAM_MAX`` characters of the runs."""
    out = set()
    for run_list in run_lists:
        for run in run_list:
            n = len(run)
            for i in range(n):
                for size in range(1, min(GRAM_MAX, n - i) + 1):
                    out.add(run[i:i + size])
    return out


def row_values(row):
    """The two search rows of one article: (article_id, doc, title, heads, long, skel) and
    (article_id, grams, tiers)."""
    fields = full_fields(row)
    field_runs = [runs(normalise(f)) for f in fields]
    title_t, heads_t, body_t = ([t for run in rs for t in run_tokens(run)] for rs in field_runs)
    doc, lossy = _vector([title_t, heads_t, body_t])
    grams = " ".join(f"'{g}'" for g in _grams(field_runs))  # runs hold no quote or backslash
    tiers = " ".join(
        [f"'{TITLE_MARK}{g}'" for g in _grams(field_runs[:1])]
        + [f"'{HEADING_MARK}{g}'" for g in _grams(field_runs[1:2])]
    )
    skel = None
    if lossy or len(grams.encode()) > MAX_GRAMS_BYTES:
        lossy, grams = True, ""
        skel = FIELD_SEPARATOR.join(skeleton(normalise(f)) for f in fields)
    if len(tiers.encode()) > MAX_GRAMS_BYTES:  # headings of ~40,000 characters: such an
        tiers = ""  # article ranks among body matches for a single short term
    flag = bool(row.members_only)
    search_row = (row.pk, doc, _vector([title_t])[0], _vector([heads_t])[0], lossy, skel, flag)
    return search_row, (row.pk, grams, tiers, flag)


def preview_values(row):
    """(article_id, doc, title) of a members-only article's preview row, or None."""
    fields = preview_fields(row)
    if fields is None:
        return None
    title_t, _heads, body_t = (_tokens(f) for f in fields)
    return row.pk, _vector([title_t, body_t])[0], _vector([title_t])[0]


def index_rows(rows, cursor):
    values = [row_values(row) for row in rows]
    if not values:
        return
    cursor.executemany(
        f"""INSERT INTO {TABLE} (article_id, doc, title, heads, long, skel, members_only)
        VALUES (%s, %s::tsvector, %s::tsvector, %s::tsvector, %s, %s, %s)
        ON CONFLICT (article_id) DO UPDATE SET doc = EXCLUDED.doc, title = EXCLUDED.title,
            heads = EXCLUDED.heads, long = EXCLUDED.long, skel = EXCLUDED.skel,
            members_only = EXCLUDED.members_only""",
        [search_row for search_row, _grams_row in values],
    )
    cursor.executemany(
        f"""INSERT INTO {GRAMS} (article_id, grams, tiers, members_only)
        VALUES (%s, %s::tsvector, %s::tsvector, %s)
        ON CONFLICT (article_id) DO UPDATE SET grams = EXCLUDED.grams, tiers = EXCLUDED.tiers,
            members_only = EXCLUDED.members_only""",
        [grams_row for _search_row, grams_row in values],
    )
    previews = [v for v in (preview_values(row) for row in rows) if v is not None]
    cursor.execute(f"DELETE FROM {PREVIEW} WHERE article_id = ANY(%s)",
                   [[row.pk for row in rows]])
    if previews:
        cursor.executemany(
            f"INSERT INTO {PREVIEW} (article_id, doc, title) VALUES"
            " (%s, %s::tsvector, %s::tsvector)", previews,
        )


def _needs_positions(atom) -> bool:
    """Whether the grams alone cannot decide an atom: a run longer than ``GRAM_MAX``,
    several runs that must follow each other, characters that must follow each other across
    punctuation (``LooseAtom``)."""
    if isinstance(atom, LooseAtom):
        return len(atom[0]) > 1
    return len(atom) > 1 or len(atom[0]) > GRAM_MAX


def _atom_grams(atom) -> list[str]:
    """Grams an article must have for the atom to match: its runs when short enough,
    otherwise their ``GRAM_MAX``-character substrings; a loose atom's characters."""
    if isinstance(atom, LooseAtom):
        return list(dict.fromkeys(atom[0]))
    out = []
    for run in atom:
        if len(run) <= GRAM_MAX:
            out.append(run)
        else:
            out.extend(run[i:i + GRAM_MAX] for i in range(len(run) - GRAM_MAX + 1))
    return list(dict.fromkeys(out))


def _tsquery(atom) -> str:
    if isinstance(atom, LooseAtom):
        # Each character starts the token at its position; positions run on across
        # separators (not across fields): consecutive prefixes.
        return " <-> ".join(f"'{ch}':*" for ch in atom[0])
    toks, prefix = atom_tokens(atom)
    quoted = [f"'{tok}'" for tok in toks]
    if prefix:
        quoted[-1] += ":*"
    return " <-> ".join(quoted)


def tsquery_all(parsed) -> str:
    return " & ".join(f"({_tsquery(atom)})" for atom in parsed.atoms)


def tsquery_any(parsed) -> str:
    return " | ".join(f"({_tsquery(atom)})" for atom in parsed.atoms)


def _match_args(parsed) -> list:
    """Arguments of the ``_match`` function: the grams query, the positional query of the
    atoms that need one (or None), the skeletons for long articles."""
    grams = " & ".join(f"'{g}'" for atom in parsed.atoms for g in _atom_grams(atom))
    phrases = [atom for atom in parsed.atoms if _needs_positions(atom)]
    positional = " & ".join(f"({_tsquery(atom)})" for atom in phrases) or None
    return [grams, positional, [atom_skeleton(a) for a in parsed.atoms]]


# -- queries with operators (OR, NOT, intitle) ------------------------------------------------
#
# Every term is first looked for in the grams: a term of short single runs is decided there
# exactly (in the title by its marked grams), so OR and NOT of such terms need no positions;
# only a query with a longer term or a phrase across punctuation is then checked on the
# positional vectors of its candidates. Long articles (no grams) are matched on their
# skeleton. The matches are always fetched as ids (``ids_first``) and tiered from them.


def _decided_by_grams(term) -> bool:
    return not any(_needs_positions(atom) for atom in term.atoms)


def _grams_condition(term, g="g") -> tuple[str, list]:
    """A condition on a grams row that every article holding ``term`` meets (exactly those,
    when ``_decided_by_grams``)."""
    grams = [gram for atom in term.atoms for gram in _atom_grams(atom)]
    if term.title:
        return f"{g}.tiers @@ %s::tsquery", [" & ".join(f"'{TITLE_MARK}{x}'" for x in grams)]
    return f"{g}.grams @@ %s::tsquery", [" & ".join(f"'{x}'" for x in grams)]


def _boolean(parsed, condition) -> tuple[str, list]:
    """The query as SQL over one row: ``condition(term)`` gives each term's (sql, params);
    clauses ANDed, terms of a clause ORed, excluded terms negated (``None`` from
    ``condition`` leaves a term out: it narrows nothing)."""
    parts, params = [], []
    for clause in parsed.clauses:
        terms = [condition(term) for term in clause]
        if any(t is None for t in terms):
            continue
        parts.append("(" + " OR ".join(sql for sql, _p in terms) + ")")
        params += [p for _sql, term_params in terms for p in term_params]
    for term in parsed.excluded:
        found = condition(term, excluded=True)
        if found is not None:
            parts.append(f"NOT ({found[0]})")
            params += found[1]
    return " AND ".join(parts) or "true", params


def _positions_condition(t):
    def condition(term, excluded=False):
        column = "title" if term.title else "doc"
        return " AND ".join(f"{t}.{column} @@ %s::tsquery" for _atom in term.atoms), [
            _tsquery(atom) for atom in term.atoms]
    return condition


def _skeleton_condition(t):
    def condition(term, excluded=False):
        field = f"split_part({t}.skel, %s, 1)" if term.title else f"{t}.skel"
        sql, params = [], []
        for atom in term.atoms:
            loose = isinstance(atom, LooseAtom)
            text = f"replace({field}, %s, '')" if loose else field
            sql.append(f"strpos({text}, %s) > 0")
            params += [FIELD_SEPARATOR] if term.title else []
            params += [SEPARATOR] if loose else []
            params.append(atom_skeleton(atom))
        return " AND ".join(sql), params
    return condition


def _operators_sql(parsed, restrict) -> tuple[str, list]:
    """SQL selecting the ids of the matches of a query with operators (``article_id``)."""
    where, restrict_params = _restriction(restrict, "g.article_id")

    def grams(term, excluded=False):
        if not excluded:
            return _grams_condition(term)
        if not _decided_by_grams(term):
            return None  # its grams do not prove it is there: checked on positions
        # The ids holding it, from the GIN index: tested on each candidate row instead, the
        # condition would read every candidate's grams vector out of line (机关 -建设: 90,000
        # vectors, 1.5 s).
        sql, params = _grams_condition(term, g="x")
        return f"g.article_id IN (SELECT x.article_id FROM {GRAMS} x WHERE {sql})", params

    narrowed, narrowed_params = _boolean(parsed, grams)
    candidates = f"SELECT g.article_id FROM {GRAMS} g WHERE {narrowed}{where}"
    params = [*narrowed_params, *restrict_params]
    terms = [*[t for clause in parsed.clauses for t in clause], *parsed.excluded]
    if not all(_decided_by_grams(term) for term in terms):
        checked, checked_params = _boolean(parsed, _positions_condition("s"))
        candidates = (f"SELECT s.article_id FROM (WITH c AS MATERIALIZED ({candidates})"
                      f" SELECT article_id FROM c) AS c JOIN {TABLE} s"
                      f" ON s.article_id = c.article_id WHERE {checked}")
        params += checked_params
    long_where, long_params = _restriction(restrict, "l.article_id")
    skeletons, skeleton_params = _boolean(parsed, _skeleton_condition("l"))
    sql = (f"{candidates} UNION ALL SELECT l.article_id FROM {TABLE} l WHERE l.long"
           f" AND {skeletons}{long_where}")
    return sql, [*params, *skeleton_params, *long_params]


def _vector_condition(parsed, t) -> tuple[str, list]:
    """The query on a row's own positional vectors (``doc`` and ``title``: the preview)."""
    return _boolean(parsed, _positions_condition(t))


def _rank_sql(t):
    """Tiers without reading any body: 2 some term in the title, 1 some term in a heading,
    0 the body alone (as on SQLite); newest first within a tier."""
    return (
        f"(CASE WHEN {t}.title @@ %s::tsquery THEN 2"
        f" WHEN {t}.heads @@ %s::tsquery THEN 1 ELSE 0 END)"
    )


def _restriction(restrict, column):
    """`` AND …`` restricting a query's rows to what ``restrict`` admits: ``None`` (every
    article), ``(sql, params)`` completing ``<column> …``, or ``(sql, params, members)`` where
    ``members`` (True, False) also keeps only the members-only (ordinary) articles by the
    flag of the row ``column`` belongs to (its table's ``members_only``)."""
    if restrict is None:
        return "", []
    sql, params, *flag = restrict
    where = f" AND {column} {sql}" if sql else ""
    if flag and flag[0] is not None:
        prefix = column.rsplit(".", 1)[0] + "." if "." in column else ""
        where += f" AND {'' if flag[0] else 'NOT '}{prefix}members_only"
    return where, list(params)


def _part_restriction(part):
    """A part as ``_restriction`` takes it: the ordinary articles' part (``free``) by the rows'
    flag, not by a set of the members-only ids (a hashed subplan of ~11,000 ids in every
    branch of a query: ~3 ms each at 100,000 articles)."""
    sql, params = part.restrict or ("", ())
    members = {FREE: False, MEMBERS_PART: True}.get(part.index)
    if not sql and members is None:
        return None
    return sql, params, members


def _matches_sql(select, parsed, restrict):
    """One query over the matches ``restrict`` admits; ``count`` and ``ids`` share it. The
    ``_match`` function's query written out, so a count needs no set of ids in between (a
    term in 80,000 articles: 12 instead of 25 ms), with the restriction inside each branch
    (the planner then filters while scanning); run it under ``_index_plans``."""
    grams, positional, skels = _match_args(parsed)
    where, params = _restriction(restrict, "article_id")
    if positional is None:
        matched = f"SELECT article_id FROM {GRAMS} WHERE grams @@ %s::tsquery{where}"
        matched_params = [grams, *params]
    else:
        # The grams' candidates first (MATERIALIZED: the planner, misjudging how rare a
        # 6-character gram is, would otherwise check positions in every article first).
        matched = (
            f"SELECT s.article_id FROM (WITH c AS MATERIALIZED (SELECT article_id FROM {GRAMS}"
            f" WHERE grams @@ %s::tsquery{where}) SELECT article_id FROM c) AS g"
            f" JOIN {TABLE} s ON s.article_id = g.article_id WHERE s.doc @@ %s::tsquery"
        )
        matched_params = [grams, *params, positional]
    sql = (
        f"SELECT {select} FROM ({matched} UNION ALL SELECT article_id FROM {TABLE} WHERE long"
        f" AND NOT EXISTS (SELECT 1 FROM unnest(%s::text[]) AS x WHERE strpos(skel, x) = 0)"
        f"{where}) AS m(id)"
    )
    return sql, [*matched_params, skels, *params]


@contextmanager
def _index_plans(cursor):
    """The planner settings of the ``_match`` function for the queries run inside: never a
    scan of a whole table (it would read every article's vectors where a GIN index answers
    without reading any), never a hash or merge join of every article with a term's bigrams
    (positions are checked in the few articles the grams admit, by id)."""
    cursor.execute("SET enable_seqscan = off; SET enable_hashjoin = off;"
                   " SET enable_mergejoin = off")
    try:
        yield
    finally:
        cursor.execute("RESET enable_seqscan; RESET enable_hashjoin; RESET enable_mergejoin")


def count(parsed, restrict=None) -> int:
    """Matches among the articles ``restrict`` admits (see ``sqlite.count``)."""
    if not parsed.simple:
        return len(all_ids(parsed, restrict))
    with connection.cursor() as cursor, _index_plans(cursor):
        cursor.execute(*_matches_sql("count(*)", parsed, restrict))
        return cursor.fetchone()[0]


def all_ids(parsed, restrict=None) -> list[int]:
    """The ids of every match (unordered), as ``count`` counts them; in one array, which
    decodes faster than as many rows, sent in binary (``_binary_cursor``)."""
    if parsed.simple:
        sql, params = _matches_sql("array_agg(m.id)", parsed, restrict)
    else:
        sql, params = _operators_sql(parsed, restrict)
        sql = f"SELECT array_agg(m.article_id) FROM ({sql}) AS m"
    with connection.cursor() as plans, _index_plans(plans), _binary_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] or []


def _binary_cursor():
    """A cursor of the request's connection whose results come in PostgreSQL's binary format:
    the 100,000 ids of a common term arrive in ~4 ms less than as text (~26 instead of ~30 ms
    for the whole query). Django's cursors bind parameters on the client, which allows text
    results only; this one binds them on the server, and is wrapped as Django's are (logged
    when queries are)."""
    connection.ensure_connection()
    cursor = psycopg.Cursor(connection.connection)
    cursor.format = psycopg.pq.Format.BINARY
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    return wrap(cursor)


# Above this many matches the body tier is found by walking the newest articles (a common
# term: a few rows per result); up to it, from the newest ids the grams give (a walk would
# read ~1 / density rows per result, ~7 µs each).
WALK_MIN = 10000
# Up to this many matches, all of them are tiered at once (~7 µs each); more for queries the
# grams cannot tier (several terms, long terms, phrases across punctuation), where the
# other plans check positions.
RANK_ALL_MAX = 300
RANK_ALL_POSITIONS_MAX = 5000
# For so common a term, the title and heading tiers are first looked for among this many of
# the newest articles.
RECENT_ROWS = 1000


def _match_sql(t):
    """Condition for a search row ``t`` matching, on its own vectors (``_match`` reads the
    grams table instead): the positional query of every atom, or the skeleton of a long
    article. Two parameters: ``tsquery_all`` and the atoms' skeletons."""
    return (
        f"((NOT {t}.long AND {t}.doc @@ %s::tsquery) OR ({t}.long AND NOT EXISTS"
        f" (SELECT 1 FROM unnest(%s::text[]) AS x WHERE strpos({t}.skel, x) = 0)))"
    )


def ids_first(parsed) -> bool:
    """Whether a count should fetch the ids of the matches: yes for a query with a term the
    grams cannot decide (longer than ``GRAM_MAX``, or a phrase across punctuation), whose
    every candidate is checked on its positions (~6 µs an article). The ids cost what the
    count costs, and with a few thousand of them ``tier_ids`` tiers the page without
    checking any again (for more, it walks the newest and stops with the page). Always for
    a query with operators, which is tiered from its ids."""
    return not parsed.simple or any(_needs_positions(atom) for atom in parsed.atoms)


def tier_ids(parsed, limit, restrict=None, total=None, ids=None) -> list[tuple[int, int]]:
    """The newest ``limit`` matches of each tier (0 title, 1 headings, 2 body alone) as
    ``(tier, id)``, by tier, newest first.

    The plan, by what is known of the matches:

    - a query the grams cannot decide (``ids_first``) whose up to ``RANK_ALL_POSITIONS_MAX``
      matches are known (``ids``): tiered from their title and heading vectors, no match
      checked again (``_tiers_of_ids``);
    - up to ``RANK_ALL_MAX`` matches (``RANK_ALL_POSITIONS_MAX`` for a query the grams cannot
      tier): all of them, checked and tiered in one query (``_tiers_of_all``);
    - one term of up to ``GRAM_MAX`` characters (most searches): each tier from the newest
      ids of its grams in the narrow table (``_tiers_from_grams``);
    - otherwise the title and heading tiers come through the GIN indexes of their positional
      vectors (or, for a term in most titles, by walking the newest articles: the planner's
      choice, never a scan of the whole table, which would read every document vector), the
      body tier as ``WALK_MIN`` says.
    """
    walk = total is None or total > WALK_MIN
    by_grams = len(parsed.atoms) == 1 and not _needs_positions(parsed.atoms[0])
    rank_all = RANK_ALL_MAX if by_grams else RANK_ALL_POSITIONS_MAX
    if not parsed.simple:  # operators: the ids are known (``ids_first``)
        ids = ids if ids is not None else all_ids(parsed, restrict)
    if parsed.title_bound:  # every match is in the title tier (its ids are known)
        return [(0, pk) for pk in heapq.nlargest(limit, ids)]
    with connection.cursor() as cursor, _index_plans(cursor):
        if ids is not None and ids_first(parsed) and (
                not parsed.simple or len(ids) <= RANK_ALL_POSITIONS_MAX):
            rows = _tiers_of_ids(cursor, parsed, ids, limit)
        elif total is not None and total <= rank_all:
            rows = _tiers_of_all(cursor, parsed, restrict)
        elif by_grams:
            rows = _tiers_from_grams(cursor, parsed, limit, restrict, walk)
        else:
            rows = _tiers_from_positions(cursor, parsed, limit, restrict, walk)
            if not walk:
                rows += [(2, pk) for pk in _body_tier(cursor, parsed, limit, restrict)]
    rows.sort(key=lambda row: (row[0], -row[1]))
    kept, per_tier = [], Counter()
    for tier, pk in rows:
        per_tier[tier] += 1
        if per_tier[tier] <= limit:
            kept.append((tier, pk))
    return kept


def _tiers_of_all(cursor, parsed, restrict):
    """Few matches: every one of them, with its tier, in one query (the matches first, then
    their rows by id: MATERIALIZED, or the planner may walk every row to test each one)."""
    sql, params = _matches_sql("m.id", parsed, restrict)
    any_q = tsquery_any(parsed)
    cursor.execute(
        f"WITH m AS MATERIALIZED ({sql}) SELECT 2 - {_rank_sql('s')} AS tier, s.article_id"
        f" FROM m JOIN {TABLE} s ON s.article_id = m.id",
        [*params, any_q, any_q],
    )
    return cursor.fetchall()


def _tiers_of_ids(cursor, parsed, ids, limit):
    """Tiers of the matches ``ids``, without reading a document vector again: the title and
    heading tiers are the ids whose small title or heading vector holds a term, found through
    their GIN indexes (``article_id + 0``: kept to the ids by a hash of them, not by one
    primary-key probe per id); the body tier, the newest of the other ids."""
    any_q = tsquery_any(parsed)
    cursor.execute(
        f"SELECT article_id, title @@ %s::tsquery FROM {TABLE}"
        f" WHERE (title @@ %s::tsquery OR heads @@ %s::tsquery) AND article_id + 0 = ANY(%s::bigint[])",
        [any_q, any_q, any_q, list(ids)],
    )
    marked = dict(cursor.fetchall())
    newest = heapq.nlargest(limit + len(marked), ids)
    body = [pk for pk in newest if pk not in marked][:limit]
    return [(0 if in_title else 1, pk) for pk, in_title in marked.items()] + [
        (2, pk) for pk in body
    ]


# The matching ids (``_match``), for the tiers that walk them newest first.
MATCH_IDS_SQL = (f"SELECT article_id FROM {TABLE}_match(%s::tsquery, %s::tsquery, %s::text[])"
                 f" AS m(article_id, members_only) WHERE true")


def _newest_unclaimed(ids_sql, table, claimed) -> str:
    """SQL of the newest ids of ``ids_sql`` (a FROM item yielding ``article_id``) whose row
    ``r`` of ``table`` does not meet ``claimed`` (a higher tier's condition), up to a LIMIT
    parameter: the ids sorted, then a nested loop on the primary key, so the check stops
    with the page. ``ids_sql`` must find its ids first (MATERIALIZED, or a function): sorted
    by id straight from a table, the planner would walk the primary key and check every row."""
    return (
        f"(SELECT c.article_id FROM (SELECT article_id FROM {ids_sql}"
        f" ORDER BY article_id DESC) AS c JOIN {table} r ON r.article_id = c.article_id"
        f" WHERE NOT ({claimed}) ORDER BY c.article_id DESC LIMIT %s)"
    )


def _recent_tiers(cursor, parsed, restrict, limit):
    """The newest ``limit`` articles with the term in the title, and with it in a heading but
    not the title, among the ``RECENT_ROWS`` newest articles, in one read of their small
    title and heading vectors (stored in the row: ~1 µs an article); None for a tier with
    fewer there (then found through the index). For a term in most titles, a few recent rows
    beat finding every title that has it."""
    where, restrict_params = _restriction(restrict, "article_id")
    any_q = tsquery_any(parsed)
    cursor.execute(
        f"SELECT s.article_id, s.title @@ %s::tsquery FROM (SELECT article_id, title, heads,"
        f" long, doc, skel FROM {TABLE} WHERE true{where} ORDER BY article_id DESC LIMIT %s)"
        f" AS s WHERE (s.title @@ %s::tsquery OR s.heads @@ %s::tsquery)"
        f" AND (NOT s.long OR {_match_sql('s')}) ORDER BY s.article_id DESC",
        [any_q, *restrict_params, RECENT_ROWS, any_q, any_q, tsquery_all(parsed),
         [atom_skeleton(a) for a in parsed.atoms]],
    )
    rows = cursor.fetchall()
    titled = [pk for pk, in_title in rows if in_title][:limit]
    headed = [pk for pk, in_title in rows if not in_title][:limit]
    return (titled if len(titled) == limit else None), (headed if len(headed) == limit else None)


def _marked_tiers(cursor, parsed, limit, restrict, tiers):
    """Some ``tiers`` (0 title, 1 heading, 2 body) of one short term from its marked grams,
    each the newest ``limit``, in one query. The title tier comes from the GIN index; the
    heading (body) tier walks the ids with the heading mark (the matches) newest first,
    checking each for the marks of a higher tier (~8 µs an article) until the page is full
    (``_newest_unclaimed``)."""
    (term,) = _atom_grams(parsed.atoms[0])
    title, heading = f"'{TITLE_MARK}{term}'", f"'{HEADING_MARK}{term}'"
    where, params = _restriction(restrict, "article_id")
    marked = "r.tiers @@ %s::tsquery"
    selects, sql_params = [], []
    if 0 in tiers:
        selects.append(f"(SELECT 0, article_id FROM {GRAMS} WHERE tiers @@ %s::tsquery{where}"
                       f" ORDER BY article_id + 0 DESC LIMIT %s)")
        sql_params += [title, *params, limit]
    if 1 in tiers:
        headed = (f"(WITH h AS MATERIALIZED (SELECT article_id FROM {GRAMS}"
                  f" WHERE tiers @@ %s::tsquery{where}) SELECT article_id FROM h) AS h")
        selects.append(
            f"(SELECT 1, article_id FROM {_newest_unclaimed(headed, GRAMS, marked)} AS x)"
        )
        sql_params += [heading, *params, title, limit]
    if 2 in tiers:
        matched = f"({MATCH_IDS_SQL}{where}) AS m"
        selects.append(
            f"(SELECT 2, article_id FROM {_newest_unclaimed(matched, GRAMS, marked)} AS y)"
        )
        sql_params += [*_match_args(parsed), *params, f"{title} | {heading}", limit]
    cursor.execute(" UNION ALL ".join(selects), sql_params)
    return cursor.fetchall()


def _tiers_from_grams(cursor, parsed, limit, restrict, walk):
    """Tiers of one short term: its title gram, its heading gram without the title gram, its
    gram without either. A term in the title or a heading is in the article, so those tiers
    need no match check; the body tier is the match itself (long articles included), or for
    so common a term (``walk``) the newest articles without it in the title or a heading."""
    titled = headed = None
    if walk:  # so common a term: first its titles and headings among the newest articles
        titled, headed = _recent_tiers(cursor, parsed, restrict, limit)
    rows = [(0, pk) for pk in titled or []] + [(1, pk) for pk in headed or []]
    wanted = [n for n, found in ((0, titled), (1, headed)) if found is None]
    if not walk:
        wanted.append(2)
    if wanted:
        rows += _marked_tiers(cursor, parsed, limit, restrict, wanted)
    if walk:
        rows += _tiers_from_positions(cursor, parsed, limit, restrict, walk=True, tiers=(2,))
    return rows


def _tiers_from_positions(cursor, parsed, limit, restrict, walk, tiers=(0, 1, 2)):
    """Tiers from the positional title, heading and document vectors; the body tier (2) only
    when ``walk``: by walking the newest articles and checking each, until the page is full
    (more than ``WALK_MIN`` articles match, so a few rows per result)."""
    where, params = _restriction(restrict, "s.article_id")
    any_q, all_q = tsquery_any(parsed), tsquery_all(parsed)
    skels = [atom_skeleton(a) for a in parsed.atoms]
    match = _match_sql("s")
    # One atom found in the title (heading) vector is in the document vector too: the same
    # tokens at the same relative positions, unless the article lost positions (``long``).
    # So those tiers need not re-read the document vector of every candidate.
    implied = f"(NOT s.long OR {match})" if len(parsed.atoms) == 1 else match
    conditions = {
        0: ("s.title @@ %s::tsquery", [any_q], implied),
        1: ("s.heads @@ %s::tsquery AND NOT s.title @@ %s::tsquery", [any_q, any_q], implied),
        2: ("NOT s.title @@ %s::tsquery AND NOT s.heads @@ %s::tsquery", [any_q, any_q], match),
    }
    selects, all_params = [], []
    for n in tiers:
        if n == 2 and not walk:
            continue
        condition, condition_params, matched = conditions[n]
        selects.append(
            f"(SELECT {n} AS tier, s.article_id FROM {TABLE} s"
            f" WHERE {condition} AND {matched}{where} ORDER BY s.article_id DESC LIMIT %s)"
        )
        all_params += [*condition_params, all_q, skels, *params, limit]
    cursor.execute(" UNION ALL ".join(selects), all_params)
    return cursor.fetchall()


def _body_tier(cursor, parsed, limit, restrict):
    """The newest ``limit`` matches with no term in the title or a heading, checked on their
    positional vectors (the grams cannot tier this query) until the page is full."""
    where, params = _restriction(restrict, "article_id")
    any_q = tsquery_any(parsed)
    claimed = "r.title @@ %s::tsquery OR r.heads @@ %s::tsquery"
    cursor.execute(
        _newest_unclaimed(f"({MATCH_IDS_SQL}{where}) AS m", TABLE, claimed),
        [*_match_args(parsed), *params, any_q, any_q, limit],
    )
    return [row[0] for row in cursor.fetchall()]


def _preview_where(parsed, part):
    """The condition of a part's preview rows matching ``parsed``, with its parameters."""
    condition, params = _vector_condition(parsed, PREVIEW)
    where, restrict_params = _restriction(part.restrict, "article_id")
    return f"{condition}{where}", [*params, *restrict_params]


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    # One index of every article, its rows flagged members-only or not: members and editors
    # search it whole (one part), the public its ordinary articles by the flag.
    full_text_parts = (FULL,)
    # A filter's ids, read once per search (``prepare``) with the planner's own settings (the
    # search's statements run under ``_index_plans``, which would also bind the filter's
    # query to indexes), as one array (in its text form: parts are hashable).
    filter_read_sql = "SELECT coalesce(array_agg(f.id), '{{}}')::text FROM {ids} AS f(id)"
    filter_restriction = "= ANY(%s::bigint[])"

    # -- writing ------------------------------------------------------------------------------

    def index(self, rows, cursor):
        rows = list(rows)
        index_rows(rows, cursor)
        self._record(cursor, [(row.pk, digest(row)) for row in rows])

    def clear(self, cursor):
        """Empty the tables and drop the grams' GIN indexes: building them once at the end is
        much faster than growing them row by row."""
        cursor.execute(f"DROP INDEX IF EXISTS {GRAMS}_gin")
        cursor.execute(f"DROP INDEX IF EXISTS {GRAMS}_tiers_gin")
        cursor.execute(f"TRUNCATE {TABLE}, {GRAMS}, {PREVIEW}, {STATE}")

    def optimise(self, cursor):
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for sql in GRAMS_INDEX_SQL:
            cursor.execute(sql)
        for table in (TABLE, GRAMS, PREVIEW):
            cursor.execute(f"ANALYZE {table}")

    def size_bytes(self, cursor):
        cursor.execute("SELECT pg_total_relation_size(%s) + pg_total_relation_size(%s)"
                       " + pg_total_relation_size(%s)", [TABLE, GRAMS, PREVIEW])
        return int(cursor.fetchone()[0] or 0)

    # -- reading ------------------------------------------------------------------------------

    def count(self, parsed, part):
        if part.index == PREVIEW_PART:
            return len(self.ids(parsed, part))  # a small table: its ids cost what its count does
        return count(parsed, _part_restriction(part))

    def ids(self, parsed, part):
        if part.index == PREVIEW_PART:
            sql, params = self.match_sql(parsed, part)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return [row[0] for row in cursor.fetchall()]
        return all_ids(parsed, _part_restriction(part))

    def ids_first(self, parsed, part):
        return part.index != PREVIEW_PART and ids_first(parsed)

    def page_needs_total(self, part):
        return part.index != PREVIEW_PART

    def tier_ids(self, parsed, limit, part, total=None, ids=None):
        if part.index != PREVIEW_PART:
            return tier_ids(parsed, limit, _part_restriction(part), total=total, ids=ids)
        # The preview of members-only articles: small, its tiers read from the GIN index.
        where, params = _preview_where(parsed, part)
        any_q = tsquery_any(parsed)
        with connection.cursor() as cursor:
            cursor.execute(
                f"(SELECT 0, article_id FROM {PREVIEW} WHERE {where} AND title @@ %s::tsquery"
                f" ORDER BY article_id DESC LIMIT %s) UNION ALL"
                f" (SELECT 2, article_id FROM {PREVIEW} WHERE {where}"
                f" AND NOT title @@ %s::tsquery ORDER BY article_id DESC LIMIT %s)",
                [*params, any_q, limit, *params, any_q, limit],
            )
            rows = cursor.fetchall()
        return sorted(rows, key=lambda row: (row[0], -row[1]))

    def match_sql(self, parsed, part):
        if part.index == PREVIEW_PART:
            where, params = _preview_where(parsed, part)
            return f"SELECT article_id FROM {PREVIEW} WHERE {where}", params
        if not parsed.simple:
            return _operators_sql(parsed, _part_restriction(part))
        where, params = _restriction(_part_restriction(part), "article_id")
        sql = f"{MATCH_IDS_SQL}{where}"
        return sql, [*_match_args(parsed), *params]

    def tier_sql(self, parsed, tier):
        column = "title" if tier == 0 else "heads"
        return (f"SELECT article_id FROM {TABLE} WHERE {column} @@ %s::tsquery",
                [tsquery_any(parsed)])
