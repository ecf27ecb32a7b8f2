"""SQLite backend: contentless FTS5 tables fed our tokens from Python.

``articles_search`` (title, headings, body) holds every article's tokens and no text
(``content=''``), with the ``ascii`` tokenizer (our tokens are already lower-case runs of
word characters, so it keeps them whole), full position lists (``detail=full``) for
phrases, and a one-character prefix index (``prefix='1'``: a 1-character term reads one
list). Its rowid is the article id. ``articles_search_heads`` holds the titles and headings
alone, for the ranking tiers: a phrase common in bodies is checked in the few articles that
have it in a title or heading. ``articles_search_preview`` holds the title and free preview
of the members-only articles only: the public scope's second part (``scope``).

A contentless table forgets the tokens it was given, so replacing or removing an entry
replays the tokens it was indexed with: ``forget`` does, from the row as it is before the
write, when its digest shows it is what was indexed. An entry whose row was changed behind
our back cannot be removed exactly: it is marked ``damaged`` (``check_search_index`` lists
it) until ``rebuild_search_index``. After changing the tokeniser or ``CODE_MAP``, rebuild.

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
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

from django.db import DatabaseError, connection
from django.db.backends.signals import connection_created
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from .backends import SearchBackend
from .documents import DAMAGED, digest, full_fields, preview_fields
from .query import LooseAtom
from .scope import FREE
from .scope import PREVIEW as PREVIEW_PART
from .tokenise import atom_tokens, token_string

TABLE = "articles_search"
HEADS = f"{TABLE}_heads"
MEMBERS = f"{TABLE}_members"
MEMBERS_HEADS = f"{TABLE}_members_heads"
PREVIEW = f"{TABLE}_preview"
TABLES = (TABLE, HEADS, MEMBERS, MEMBERS_HEADS, PREVIEW)
MMAP_BYTES = 1 << 30
FEW_CANDIDATES = 16  # see ``SQLiteBackend._few_candidates``


def configure(sender=None, connection=None, **kwargs):
    """Connections live for one request (CONN_MAX_AGE=0): reading the index through a memory
    map spares each new connection from copying pages into a cold page cache."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


connection_created.connect(configure, dispatch_uid="huibian-search-sqlite-mmap")


def _atom_expression(atom, loose=False) -> str:
    if isinstance(atom, LooseAtom):
        # Each character starts the token at its position (its bigram, or itself at the end
        # of a run), and positions run on across separators: consecutive prefixes.
        return " + ".join(f'"{ch}"*' for ch in atom[0])
    toks, prefix = atom_tokens(atom)
    return '"' + " ".join(toks) + '"' + ("*" if prefix else "")


def _term_expression(term, loose=False) -> str:
    inner = " AND ".join(_atom_expression(atom, loose) for atom in term.atoms)
    return f"{{title}}: ({inner})" if term.title else f"({inner})"


def fts_expression(parsed) -> str:
    """An FTS5 query for a parsed query: each atom a quoted phrase of tokens; terms ANDed
    within a term, ORed within a clause, clauses ANDed, the excluded terms after NOT.

    Tokens are runs of word characters, so no user character can reach FTS5's syntax.
    """
    loose = parsed.loose
    required = " AND ".join(
        "(" + " OR ".join(_term_expression(term, loose) for term in clause) + ")"
        for clause in parsed.clauses
    )
    if not parsed.excluded:
        return required
    excluded = " OR ".join(_term_expression(t, loose) for t in parsed.excluded)
    return f"({required}) NOT ({excluded})"


def _any_expression(parsed) -> str:
    """Some atom of the query that a match may hold (for the title and heading tiers)."""
    return " OR ".join(_atom_expression(atom, parsed.loose) for atom in parsed.atoms)


def tier_expressions(parsed) -> list[str]:
    """FTS5 queries of the three ranking tiers, best first: some term in the title; some
    term in a heading (none in the title); the body alone (with the whole query). Each
    matching article is in exactly one."""
    q, some = fts_expression(parsed), _any_expression(parsed)
    return [
        f"{{title}}: ({some})",
        f"{{headings}}: ({some}) NOT {{title}}: ({some})",
        f"({q}) NOT {{title headings}}: ({some})",
    ]


def _tier_select(n, table, where) -> str:
    """The newest rows (id, as tier ``n``) of ``table`` matching an expression parameter and
    ``where``, up to a LIMIT parameter: FTS5 reads them in rowid order and stops there."""
    return (f"SELECT * FROM (SELECT {n} AS tier, h.rowid AS id FROM {table} h "
            f"WHERE h.{table} MATCH %s{where} ORDER BY h.rowid DESC LIMIT %s)")


def _tables(part):
    """(the table of the whole query, the table of the title and heading tiers) of a part."""
    if part.index == PREVIEW_PART:
        return PREVIEW, PREVIEW
    return (TABLE, HEADS) if part.index == FREE else (MEMBERS, MEMBERS_HEADS)


def _restriction(restrict, column="rowid"):
    """The part's filter as a condition on ``column + 0``, which FTS5 is not handed: given
    ``rowid IN (…)`` itself, it looks each id of the filter up in the query's lists, one
    by one (a theme's 20,000 articles: 10-60 s). So the filter's ids are read once and
    each match is checked against them (the matches of 党建 with a theme: ~0.1 s)."""
    if restrict is None:
        return "", []
    sql, params = restrict
    return f" AND {column} + 0 {sql}", list(params)


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"
    forgets = True  # a contentless FTS5 entry is removed by replaying its tokens
    # A filter's ids, read once per search (``prepare``), as one JSON array.
    filter_read_sql = "WITH f(id) AS {ids} SELECT json_group_array(id) FROM f"
    filter_restriction = "IN (SELECT value FROM json_each(%s))"
    # Ordinary and members-only articles in tables of their own (the default
    # ``full_text_parts``): the public's search needs no NOT IN of every members-only id
    # (~8 ms a statement at 100,000 articles, 10% of them).

    # -- writing ------------------------------------------------------------------------------

    def index(self, rows, cursor):
        rows = list(rows)
        known = self._digests(cursor, [row.pk for row in rows])
        fresh, redo, records = [], [], []
        for row in rows:
            now = digest(row)
            if known.get(row.pk) == now:
                continue  # indexed with this very content
            if row.pk in known:
                # Indexed with content this process never saw (``forget`` was bypassed): its
                # old tokens cannot be removed, so the entry stays marked until a rebuild.
                redo.append(row)
                records.append((row.pk, DAMAGED))
            else:
                fresh.append(row)
                records.append((row.pk, now))
        self._insert(cursor, fresh + redo)
        self._record(cursor, records)

    def forget(self, rows, cursor):
        rows = list(rows)
        known = self._digests(cursor, [row.pk for row in rows])
        exact = [row for row in rows if known.get(row.pk) == digest(row)]
        self._insert(cursor, exact, command="delete")
        self._drop_state(cursor, [row.pk for row in exact])
        # An entry indexed from other values stays (it cannot be removed exactly), marked.
        damaged = [(row.pk, DAMAGED) for row in rows
                   if row.pk in known and known[row.pk] != digest(row)]
        self._record(cursor, damaged)

    def _insert(self, cursor, rows, command=None):
        """Insert (or with ``command='delete'`` remove) the tokens of rows in every table."""
        values_of = {table: [] for table in TABLES}
        for row in rows:
            title, headings, body = (token_string(f) for f in full_fields(row))
            full, heads = (MEMBERS, MEMBERS_HEADS) if row.members_only else (TABLE, HEADS)
            values_of[full].append((row.pk, title, headings, body))
            values_of[heads].append((row.pk, title, headings))
            fields = preview_fields(row)
            if fields is not None:
                values_of[PREVIEW].append((row.pk, *(token_string(f) for f in fields)))
        for table, values in values_of.items():
            columns = "title, headings" if table in (HEADS, MEMBERS_HEADS) else (
                "title, headings, body")
            if not values:
                continue
            width = len(values[0])
            if command:
                cursor.executemany(
                    f"INSERT INTO {table}({table}, rowid, {columns}) VALUES"
                    f" ('{command}', {', '.join(['%s'] * width)})", values,
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {table}(rowid, {columns}) VALUES ({', '.join(['%s'] * width)})",
                    values,
                )

    def clear(self, cursor):
        for table in TABLES:
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
        cursor.execute("DELETE FROM articles_search_state")

    def optimise(self, cursor):
        for table in TABLES:
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")

    def size_bytes(self, cursor):
        """Bytes of the FTS5 shadow tables, from the dbstat virtual table when available."""
        try:
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s", [f"{TABLE}%"])
            return int(cursor.fetchone()[0] or 0)
        except DatabaseError:  # dbstat not compiled in
            return 0

    # -- reading ------------------------------------------------------------------------------

    def count(self, parsed, part):
        """No article row is read: the index answers alone, against a set of ids."""
        return sum(_in_ranges("count(*)", parsed, part))

    def exists(self, parsed, part):
        """FTS5 stops at the first match: ~1 ms where a count of a common phrase reads all
        of its 45,000 matches' positions (~30 ms)."""
        table, _heads = _tables(part)
        where, params = _restriction(part.restrict)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE {table} MATCH %s{where} LIMIT 1",
                           [fts_expression(parsed), *params])
            return cursor.fetchone() is not None

    def ids(self, parsed, part):
        found = []
        for joined in _in_ranges("group_concat(rowid)", parsed, part):
            if joined:  # a string per range: rows fetched one by one would hold the GIL
                found += map(int, joined.split(","))
        return found

    def tier_ids(self, parsed, limit, part, total=None, ids=None):
        """FTS5 returns rows in rowid order and stops at the LIMIT, so no match past it is
        read. One query; ``total`` and ``ids`` are not needed."""
        table, heads = _tables(part)
        where, params = _restriction(part.restrict, "h.rowid")
        title_tier, heading_tier, body_tier = tier_expressions(parsed)
        tiers = [(heads, title_tier), (heads, heading_tier), (table, body_tier)]
        if parsed.title_bound:
            # Every match is in the title tier: the newest matches are the page, and the
            # other tiers, empty, need no walk through every match to find that out.
            tiers = [(table, fts_expression(parsed))]
        elif not (parsed.simple and len(parsed.atoms) == 1):
            # With several terms or operators a title or heading match must also match the
            # whole query: then the tiers are found in the full index, where FTS5 evaluates
            # the query, unless the small index has few candidates for them.
            q = fts_expression(parsed)
            tiers[0] = (table, f"({q}) AND {title_tier}")
            tiers[1] = (table, f"({q}) AND ({heading_tier})")
            for n, few in enumerate(self._few_candidates(heads, [title_tier, heading_tier],
                                                         where, params)):
                if few is not None:
                    tiers[n] = (table, q, few)
        selects, all_params = [], []
        for n, (name, expression, *among) in enumerate(tiers):
            if among == [[]]:
                continue  # no candidate at all: the tier is empty
            within = f" AND h.rowid IN ({', '.join(map(str, among[0]))})" if among else ""
            selects.append(_tier_select(n, name, where + within))
            all_params += [expression, *params, limit]
        if not selects:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), all_params)
            return sorted(cursor.fetchall(), key=lambda row: (row[0], -row[1]))

    def _few_candidates(self, heads, expressions, where, params):
        """Per expression, the ids matching it in the titles-and-headings index when there
        are at most ``FEW_CANDIDATES`` (else None). A phrase rare in titles but common in
        bodies is then checked against the whole query on those few ids (one lookup each,
        ~0.4 ms), not by reading every match of the query in the full index (~50 ms for
        27,000 matches)."""
        selects, all_params = [], []
        for n, expression in enumerate(expressions):
            selects.append(_tier_select(n, heads, where))
            all_params += [expression, *params, FEW_CANDIDATES + 1]
        found = [[] for _ in expressions]
        with self.connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), all_params)
            for n, pk in cursor.fetchall():
                found[n].append(pk)
        return [ids if len(ids) <= FEW_CANDIDATES else None for ids in found]

    def match_sql(self, parsed, part):
        table, _heads = _tables(part)
        where, params = _restriction(part.restrict)
        return (f"SELECT rowid FROM {table} WHERE {table} MATCH %s{where}",
                [fts_expression(parsed), *params])

    def tier_sql(self, parsed, tier):
        expression = tier_expressions(parsed)[tier]
        sql = (f"SELECT rowid FROM {HEADS} WHERE {HEADS} MATCH %s UNION ALL"
               f" SELECT rowid FROM {MEMBERS_HEADS} WHERE {MEMBERS_HEADS} MATCH %s")
        return sql, [expression, expression]


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


def _in_ranges(select, parsed, part) -> list:
    """``SELECT {select}`` over the matches of a part: one value per range of ids, or one in
    all (the small preview index is always read in one)."""
    table, _heads = _tables(part)
    where, params = _restriction(part.restrict)
    sql = f"SELECT {select} FROM {table} WHERE {table} MATCH %s{where}"
    params = [fts_expression(parsed), *params]
    with connection.cursor() as cursor:
        database = _database_file() if part.index == FREE else None
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
