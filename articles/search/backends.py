"""The contract every search engine keeps, and the choice of one by database vendor.

A backend stores our tokens (``tokenise``) in its database's own index and answers the
questions ``SearchResults`` asks, for one *part* of a scope at a time (``scope.Part``: the
``full`` or ``preview`` index and the article ids it admits). Everything a backend needs
in the schema is created by the migrations (their SQL frozen there); a backend only reads
and writes rows.

Indexing runs in Python on every database, inside the writer's transaction:
``forget(rows)`` before an article's indexed columns change or it is deleted (with the row
as it still is), ``index(rows)`` after. No trigger calls application code, so any client
of the database can write articles; what it writes behind our back is found by ``stale``
(``check_search_index``) and repaired by ``rebuild`` (``rebuild_search_index``).

Subclasses implement the methods that raise ``NotImplementedError``; the others have
defaults that suit an engine keyed by article id.
"""
from dataclasses import replace

from django.db import connection as default_connection

from .documents import DAMAGED, STATE, Row, digest
from .scope import filter_query


class SearchBackend:
    """Base class of the search engines (``sqlite.SQLiteBackend``, ``postgres.PostgresBackend``)."""

    vendor = None
    # Whether ``forget`` needs the old values (an engine that cannot replace entries by id).
    forgets = False
    # The parts holding the whole text of every article (``scope.parts``): one index, or
    # partitions of ordinary and members-only articles. Either way the public's search is
    # the ordinary articles' part (``free``) and the members-only articles' previews.
    full_text_parts = ("free", "members")

    def __init__(self, connection=None):
        # Django's thread-local proxy by default: one backend object serves every thread.
        self.connection = connection or default_connection

    # -- writing ------------------------------------------------------------------------------

    def index(self, rows: list[Row], cursor) -> None:
        """Index these articles (created, or changed after ``forget``); idempotent for an
        article already indexed with the same content."""
        raise NotImplementedError

    def forget(self, rows: list[Row], cursor) -> None:
        """These articles are about to change or go; ``rows`` are their values as indexed.
        Default: nothing (an engine that replaces entries by id needs no old values)."""

    def clear(self, cursor) -> None:
        """Empty every index table (before ``rebuild``)."""
        raise NotImplementedError

    def optimise(self, cursor) -> None:
        """After a bulk load: merge, analyse, build what was dropped by ``clear``.
        Default: nothing."""

    def size_bytes(self, cursor) -> int:
        """Bytes on disk of the index tables, for the benchmark. Default: unknown (0)."""
        return 0

    # -- the state beside the index -------------------------------------------------------------

    def _digests(self, cursor, ids) -> dict[int, str]:
        found = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            batch = ids[start:start + 500]
            cursor.execute(
                f"SELECT article_id, digest FROM {STATE} WHERE article_id IN"
                f" ({', '.join(['%s'] * len(batch))})", batch,
            )
            found.update(cursor.fetchall())
        return found

    def _record(self, cursor, pairs) -> None:
        """Remember what each article was indexed with: (article_id, digest) pairs."""
        if not pairs:
            return
        ids = [pk for pk, _digest in pairs]
        self._drop_state(cursor, ids)
        cursor.executemany(f"INSERT INTO {STATE} (article_id, digest) VALUES (%s, %s)", pairs)

    def _drop_state(self, cursor, ids) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 500):
            batch = ids[start:start + 500]
            cursor.execute(f"DELETE FROM {STATE} WHERE article_id IN"
                           f" ({', '.join(['%s'] * len(batch))})", batch)

    def stale(self, cursor, rows_batches) -> dict[str, list[int]]:
        """Articles whose index entry is not what their row says now, by kind:
        ``missing`` (never indexed), ``changed`` (written since, or an entry the index could
        not replace exactly), ``deleted`` (indexed, the article is gone)."""
        report = {"missing": [], "changed": [], "deleted": []}
        cursor.execute(f"SELECT article_id, digest FROM {STATE}")
        stored = dict(cursor.fetchall())
        for rows in rows_batches:
            for row in rows:
                known = stored.pop(row.pk, None)
                if known is None:
                    report["missing"].append(row.pk)
                elif known == DAMAGED or known != digest(row):
                    report["changed"].append(row.pk)
        report["deleted"] = sorted(stored)
        return report

    # How ``prepare`` reads a filter's ids once per search: SQL with ``{ids}`` (the filter's
    # query, a parenthesised SELECT of one column) giving one value, and the restriction that
    # then stands for the filter, taking that value as its one parameter. None: not read.
    filter_read_sql = None
    filter_restriction = None

    def prepare(self, parts: list) -> list:
        """The parts of one search as this engine reads them best, once, before its counts
        and pages. Default: a filter's ids (``IN (…)``: a theme's 20,000 articles, say) are
        read once, by ``filter_read_sql``, so that the search's six or seven statements do
        not each run the filter's query again (~50 ms each at 100,000 articles); without it,
        the parts as they are."""
        if self.filter_read_sql is None:
            return parts
        read, out = {}, []
        for part in parts:
            query = filter_query(part.restrict)
            if query is not None:
                if query not in read:
                    with self.connection.cursor() as cursor:
                        cursor.execute(self.filter_read_sql.format(ids=query[0]), query[1])
                        read[query] = (self.filter_restriction, (cursor.fetchone()[0],))
                part = replace(part, restrict=read[query])
            out.append(part)
        return out

    # -- reading ------------------------------------------------------------------------------

    def count(self, parsed, part) -> int:
        """How many articles of ``part`` match."""
        return len(self.ids(parsed, part))

    def ids(self, parsed, part) -> list[int]:
        """The ids of the matches in ``part``, unordered."""
        raise NotImplementedError

    def exists(self, parsed, part) -> bool | None:
        """Whether some article of ``part`` matches, where the index tells it much faster
        than it counts (stopping at the first match); ``None`` where it cannot: the caller
        then counts, and keeps the count. Default: ``None``."""
        return None

    def ids_first(self, parsed, part) -> bool:
        """Whether counting should fetch the ids (then given to ``tier_ids``): for queries
        whose count costs what the ids cost. Default: no."""
        return False

    def page_needs_total(self, part) -> bool:
        """Whether ``tier_ids`` wants the number of matches to choose its plan. Default: no."""
        return False

    def tier_ids(self, parsed, limit, part, total=None, ids=None) -> list[tuple[int, int]]:
        """The newest ``limit`` matches of each ranking tier as ``(tier, id)``: 0 some term
        in the title, 1 some term in a heading (none in the title), 2 the body alone; by
        tier, newest first. ``total`` and ``ids`` are the part's count and ids when known."""
        raise NotImplementedError

    def match_sql(self, parsed, part) -> tuple[str, list]:
        """SQL selecting the ids of the matches in ``part`` (for ``pk__in=RawSQL(…)``)."""
        raise NotImplementedError

    def tier_sql(self, parsed, tier) -> tuple[str, list]:
        """SQL selecting the ids of the articles with some term in the title (``tier`` 0) or
        in a heading (1), over the full text: with ``match_sql``, the rank of
        ``search_articles``."""
        raise NotImplementedError


_BACKENDS = {}


def backend(connection=None) -> SearchBackend:
    """The search backend of a connection's database vendor."""
    vendor = (connection or default_connection).vendor
    if vendor not in _BACKENDS:
        if vendor == "postgresql":
            from .postgres import PostgresBackend as cls
        elif vendor == "sqlite":
            from .sqlite import SQLiteBackend as cls
        else:
            raise NotImplementedError(f"no search backend for {vendor}")
        _BACKENDS[vendor] = cls()
    return _BACKENDS[vendor]
