"""SQLite backend: a contentless FTS5 table fed our tokens, kept current by triggers.

``articles_search`` holds no text, only the index (``content=''``), with the ``ascii``
tokenizer (our tokens are already lower-case runs of word characters, so it keeps them
whole) and full position lists (``detail=full``) for phrases. Its rowid is the article id.

Triggers on ``articles_article`` call Python functions that every connection registers
(``register_functions``, connected to ``connection_created``): insert, update of title,
sections or text, and delete (including Django's cascades and ``bulk_create``) re-index in
the same statement, hence the same transaction. A contentless table forgets the tokens it
was given, so a delete replays them from the old row: after changing the tokeniser or
``CODE_MAP`` run ``manage.py rebuild_search_index``.

Counting reads every match, and a phrase's positions in each (~0.4 µs an article: 30 ms for
a phrase in 76,000 articles). SQLite runs a statement on one core, so ``count`` and ``ids``
of a large library split the ids into ranges, one per core, read at once by a thread pool
whose threads keep read-only connections (``_in_ranges``): kept open, their memory maps stay
warm, where the request's connection is new for each request. Each range answers in one row
(its count, or its ids joined by commas), and the sqlite3 module releases the GIL while a
statement runs, so the threads do not queue for it. Measured at 100,000 articles on 2 cores:
a phrase in 76,000 articles counted in 17 instead of 32 ms. Inside a transaction the request's
connection answers alone: no other connection sees its writes.
"""
import json
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

from django.db import DatabaseError, connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from .tokenise import atom_tokens, document_fields, heading_text, token_string

TABLE = "articles_search"
PAGE_NEEDS_TOTAL = False  # ``tier_ids`` never needs the count
MMAP_BYTES = 1 << 30

# ``prefix='1'``: an index of every token's first character, so a one-character term (a
# prefix query) reads one list instead of merging the lists of every bigram it starts.
FTS_SQL = (f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
           "title, headings, body, content='', tokenize='ascii', detail=full, prefix='1')")
# The titles and headings alone, for the ranking tiers: a phrase common in bodies is checked
# in the few articles that have it in a title or heading, not in every body that has it.
HEADS = f"{TABLE}_heads"
HEADS_SQL = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {HEADS} USING fts5("
             "title, headings, content='', tokenize='ascii', detail=full, prefix='1')")
TABLE_SQL = [
    FTS_SQL,
    HEADS_SQL,
    # Article rows hold their texts inline, before status and published_at: reading those
    # for every match would walk the texts' overflow pages. This covering index holds what
    # search filters, joins, facets and orders by, so matches never touch the rows.
    f"""CREATE INDEX {TABLE}_cover ON articles_article
        (id, status, compilation_id, published_at, agency_id, year, members_only)""",
]
_INSERT_NEW = f"""
      INSERT INTO {TABLE}(rowid, title, headings, body) VALUES (new.id,
        hb_search_tokens(new.title), hb_search_headings(new.sections), hb_search_tokens(new.text));
      INSERT INTO {HEADS}(rowid, title, headings) VALUES (new.id,
        hb_search_tokens(new.title), hb_search_headings(new.sections));"""
_DELETE_OLD = f"""
      INSERT INTO {TABLE}({TABLE}, rowid, title, headings, body) VALUES ('delete', old.id,
        hb_search_tokens(old.title), hb_search_headings(old.sections), hb_search_tokens(old.text));
      INSERT INTO {HEADS}({HEADS}, rowid, title, headings) VALUES ('delete', old.id,
        hb_search_tokens(old.title), hb_search_headings(old.sections));"""
TRIGGER_SQL = [
    f"""CREATE TRIGGER {TABLE}_ai AFTER INSERT ON articles_article BEGIN{_INSERT_NEW}
    END""",
    f"""CREATE TRIGGER {TABLE}_ad AFTER DELETE ON articles_article BEGIN{_DELETE_OLD}
    END""",
    f"""CREATE TRIGGER {TABLE}_au AFTER UPDATE OF title, sections, text ON articles_article
    WHEN old.title IS NOT new.title OR old.sections IS NOT new.sections
      OR old.text IS NOT new.text OR old.id IS NOT new.id BEGIN{_DELETE_OLD}{_INSERT_NEW}
    END""",
]
CREATE_SQL = TABLE_SQL + TRIGGER_SQL
DROP_SQL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_au",
    f"DROP TRIGGER IF EXISTS {TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {TABLE}_ai",
    f"DROP INDEX IF EXISTS {TABLE}_cover",
    f"DROP TABLE IF EXISTS {TABLE}",
    f"DROP TABLE IF EXISTS {HEADS}",
]


def _headings_tokens(sections_json):
    try:
        sections = json.loads(sections_json) if isinstance(sections_json, str) else sections_json
    except ValueError:
        sections = []
    return token_string(heading_text(sections))


def register_functions(sender=None, connection=None, **kwargs):
    """Give a new SQLite connection the functions the index triggers call."""
    if connection is None or connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("hb_search_tokens", 1, token_string, deterministic=True)
    raw.create_function("hb_search_headings", 1, _headings_tokens, deterministic=True)
    # Connections live for one request (CONN_MAX_AGE=0): reading the index through a memory
    # map spares each new connection from copying pages into a cold page cache.
    raw.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


def fts_expression(parsed) -> str:
    """An FTS5 query for parsed atoms: each atom a quoted phrase of tokens, all ANDed.

    Tokens are runs of word characters, so no user character can reach FTS5's syntax.
    """
    parts = []
    for atom in parsed.atoms:
        toks, prefix = atom_tokens(atom)
        parts.append('"' + " ".join(toks) + '"' + ("*" if prefix else ""))
    return " AND ".join(parts)


def _any_expression(parsed) -> str:
    """Some atom of the query (for the title and heading tiers)."""
    return " OR ".join(fts_expression(type(parsed)((atom,))) for atom in parsed.atoms)


def tier_expressions(parsed) -> list[str]:
    """FTS5 queries of the three ranking tiers, best first: some term in the title and some
    term in a heading (none in the title), both on ``HEADS``; the body alone, on ``TABLE``
    (with the whole query). Each matching article is in exactly one."""
    q, some = fts_expression(parsed), _any_expression(parsed)
    return [
        f"{{title}}: ({some})",
        f"{{headings}}: ({some}) NOT {{title}}: ({some})",
        f"({q}) NOT {{title headings}}: ({some})",
    ]


def search(queryset, parsed, *, ranked=True):
    """``queryset`` restricted to the matches, annotated ``search_rank`` when ``ranked``."""
    table = connection.ops.quote_name(TABLE)
    article = connection.ops.quote_name(queryset.model._meta.db_table)
    where = [f"{table}.rowid = {article}.id", f"{table} MATCH %s"]
    if not ranked:
        return queryset.extra(tables=[TABLE], where=where, params=[fts_expression(parsed)])
    title_tier, heading_tier, _body = tier_expressions(parsed)
    # The same tiers as ``tier_ids``: 2 title, 1 headings, 0 body alone.
    rank = (
        f"CASE WHEN {article}.id IN (SELECT rowid FROM {HEADS} WHERE {HEADS} MATCH %s) THEN 2"
        f" WHEN {article}.id IN (SELECT rowid FROM {HEADS} WHERE {HEADS} MATCH %s) THEN 1"
        " ELSE 0 END"
    )
    return queryset.extra(
        select={"search_rank": rank},
        select_params=[title_tier, heading_tier],
        tables=[TABLE],
        where=where,
        params=[fts_expression(parsed)],
    )


def _restriction(restrict, column="rowid"):
    if restrict is None:
        return "", []
    sql, params = restrict
    return f" AND {column} {sql}", list(params)


def count(parsed, restrict=None) -> int:
    """Matches of ``parsed`` among the articles ``restrict`` admits: ``None`` (every article),
    or ``(sql, params)`` completing ``rowid …`` (``IN (subquery)``, ``NOT IN (subquery)``).
    No article row is read: the index answers alone, against a set of ids."""
    return sum(_in_ranges("count(*)", parsed, restrict))


def ids(parsed, restrict=None) -> list[int]:
    """The ids of every match (unordered), from the index alone, as ``count`` counts them."""
    found = []
    for joined in _in_ranges("group_concat(rowid)", parsed, restrict):
        if joined:  # a string per range: rows fetched one by one would hold the GIL
            found += map(int, joined.split(","))
    return found


def ids_first(parsed) -> bool:
    """Whether a count should fetch the ids of the matches for ``tier_ids``: never here, where
    the tiers come from the index in id order."""
    return False


def tier_ids(parsed, limit, restrict=None, total=None, ids=None) -> list[tuple[int, int]]:
    """The newest ``limit`` matches of each tier (0 title, 1 headings, 2 body alone) as
    ``(tier, id)``, by tier, newest (highest id) first. FTS5 returns rows in rowid order and
    stops at the LIMIT, so no match past it is read. One query; ``total`` and ``ids`` (the
    matches, when known) are not needed."""
    where, params = _restriction(restrict, "h.rowid")
    title_tier, heading_tier, body_tier = tier_expressions(parsed)
    tiers = [(HEADS, title_tier), (HEADS, heading_tier), (TABLE, body_tier)]
    if len(parsed.atoms) > 1:
        # With several terms a title or heading match must also match the whole query: then
        # the tiers are found in the full index, where FTS5 intersects the terms' lists.
        q = fts_expression(parsed)
        tiers[0] = (TABLE, f"({q}) AND {title_tier}")
        tiers[1] = (TABLE, f"({q}) AND ({heading_tier})")
    selects, all_params = [], []
    for n, (table, expression) in enumerate(tiers):
        selects.append(
            f"SELECT * FROM (SELECT {n} AS tier, h.rowid AS id FROM {table} h "
            f"WHERE h.{table} MATCH %s{where} ORDER BY h.rowid DESC LIMIT %s)"
        )
        all_params += [expression, *params, limit]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), all_params)
        return sorted(cursor.fetchall(), key=lambda row: (row[0], -row[1]))


CORES = min(os.cpu_count() or 1, 4)
# Below this many articles (the highest id) one statement answers in a few milliseconds.
SPLIT_MIN_ID = 20000
_POOL = {"pool": None}
_POOL_LOCK = threading.Lock()
_READERS = {}  # (thread, database): that pool thread's connection
_READERS_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    with _POOL_LOCK:
        if _POOL["pool"] is None:
            _POOL["pool"] = ThreadPoolExecutor(CORES, thread_name_prefix="huibian-search")
        return _POOL["pool"]


def _database_file():
    """(path, device, inode) of the database file when other connections see what the
    request's connection sees (outside any transaction, on a file), else None."""
    if CORES < 2 or connection.in_atomic_block or not connection.get_autocommit():
        return None
    if connection.is_in_memory_db():
        return None
    path = str(connection.settings_dict["NAME"])
    try:
        stat = os.stat(path)
    except OSError:  # removed under a running server: the request's connection still reads it
        return None
    return path, stat.st_dev, stat.st_ino


def _in_ranges(select, parsed, restrict) -> list:
    """``SELECT {select}`` over the matches: one value per range of ids, or one in all."""
    where, params = _restriction(restrict)
    sql = f"SELECT {select} FROM {TABLE} WHERE {TABLE} MATCH %s{where}"
    params = [fts_expression(parsed), *params]
    with connection.cursor() as cursor:
        database = _database_file()
        top = 0
        if database:
            cursor.execute("SELECT max(id) FROM articles_article")
            top = cursor.fetchone()[0] or 0
        if database is None or top < SPLIT_MIN_ID:
            cursor.execute(sql, params)
            return [cursor.fetchone()[0]]
    cuts = [top * n // CORES for n in range(1, CORES)]
    ranges = [(" AND rowid <= %s", [cuts[0]])]
    ranges += [(" AND rowid > %s AND rowid <= %s", [a, b]) for a, b in pairwise(cuts)]
    ranges.append((" AND rowid > %s", [cuts[-1]]))
    futures = [
        _pool().submit(_read_one, database, sql + extra, params + limits)
        for extra, limits in ranges
    ]
    return [future.result() for future in futures]


def _read_one(database, sql, params):
    """One value, read on this pool thread's own read-only connection to ``database``."""
    cursor = _reader(database).cursor(factory=SQLiteCursorWrapper)  # %s placeholders
    try:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
    finally:
        cursor.close()


def _reader(database) -> sqlite3.Connection:
    """This thread's connection to ``database`` (path, device, inode): a file replaced under
    the same path (a restored backup) gets a new one, never the old file's pages."""
    thread = threading.get_ident()
    with _READERS_LOCK:
        reader = _READERS.get((thread, database))
        if reader is None:
            for stale in [k for k in _READERS if k[0] == thread and k[1][0] == database[0]]:
                _READERS.pop(stale).close()
            reader = _READERS[thread, database] = _open_reader(database[0])
        return reader


def close_readers():
    """Close the pool's connections (they are opened again when needed): before a database
    file is removed, so SQLite removes its write-ahead log with it."""
    with _READERS_LOCK:
        for reader in _READERS.values():
            reader.close()
        _READERS.clear()


def _open_reader(name) -> sqlite3.Connection:
    reader = sqlite3.connect(name, uri=True, timeout=20, check_same_thread=False)
    reader.execute("PRAGMA query_only = 1")
    reader.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    return reader


def index_rows(rows, cursor, *, replace=True):
    """(Re)index (id, title, sections, text) rows. With ``replace``, an id already indexed
    first has its tokens deleted (replayed from the current row, as the triggers would)."""
    present = set()
    rows = list(rows)
    if replace and rows:
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            cursor.execute(
                f"SELECT rowid FROM {TABLE} WHERE rowid IN ({','.join('%s' for _ in chunk)})",
                chunk,
            )
            present.update(r[0] for r in cursor.fetchall())
    deletes, inserts = [], []
    for pk, title, sections, text in rows:
        title_f, headings_f, body_f = document_fields(title, sections, text)
        values = (pk, token_string(title_f), token_string(headings_f), token_string(body_f))
        if pk in present:
            deletes.append(values)
        inserts.append(values)
    if deletes:
        cursor.executemany(
            f"INSERT INTO {TABLE}({TABLE}, rowid, title, headings, body) "
            "VALUES ('delete', %s, %s, %s, %s)",
            deletes,
        )
        cursor.executemany(
            f"INSERT INTO {HEADS}({HEADS}, rowid, title, headings) VALUES ('delete', %s, %s, %s)",
            [v[:3] for v in deletes],
        )
    cursor.executemany(
        f"INSERT INTO {TABLE}(rowid, title, headings, body) VALUES (%s, %s, %s, %s)", inserts
    )
    cursor.executemany(
        f"INSERT INTO {HEADS}(rowid, title, headings) VALUES (%s, %s, %s)",
        [v[:3] for v in inserts],
    )


def clear(cursor):
    for table in (TABLE, HEADS):
        cursor.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")


def optimise(cursor):
    for table in (TABLE, HEADS):
        cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def before_bulk_load(cursor):
    """Stop indexing row by row (for a bulk load followed by ``rebuild_index``)."""
    for sql in DROP_SQL[:3]:
        cursor.execute(sql)


def after_bulk_load(cursor):
    for sql in TRIGGER_SQL:
        cursor.execute(sql)


def index_size_bytes(cursor) -> int:
    """Bytes of the FTS5 shadow tables, from the dbstat virtual table when available."""
    try:
        cursor.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s", [f"{TABLE}%"]
        )
        return int(cursor.fetchone()[0] or 0)
    except DatabaseError:  # dbstat not compiled in
        return 0
