"""Full-text search for Chinese, exact like Ctrl-F, on SQLite and PostgreSQL.

Why our own tokens: neither database splits Chinese. Wagtail's database backend and
PostgreSQL's ``simple`` configuration make a whole run of Han characters one token, so 党建 is
not found in 机关党建提质增效 (recall 27% measured at 20k articles); FTS5's trigram tokenizer
cannot answer 1- or 2-character terms; an ``icontains`` scan is exact but reads every text
(p50 ~330 ms at 100k) and misses text written in codes.

Design (``tokenise``): one token per character of normalised text (width folded, codes
restored, lower-cased): the overlapping bigram starting there, or the character alone at the
end of a run of word characters. A 2-character term is one token; a longer one the phrase of
its bigrams; a 1-character term a prefix query. Matches are exact, so no text is re-read to
verify them, and the index is small. Both engines receive the same tokens:

- SQLite (``sqlite.SQLiteBackend``): contentless FTS5 tables, ``ascii`` tokenizer,
  ``detail=full``, a one-character prefix index (``prefix='1'``: a 1-character term reads one
  list). A covering index on the articles keeps joins from reading article rows.
- PostgreSQL (``postgres.PostgresBackend``): a positional ``tsvector`` plus a table of short
  grams, with GIN indexes (pg_trgm answers no 1–2 character Han term either), and GIN indexes
  on the small title and heading vectors.

Both implement one contract (``backends.SearchBackend``), chosen by ``connection.vendor``,
and are fed from Python by the write services' hook (``forget`` before a write,
``index_written`` after): no trigger calls application code. ``check_index`` finds the
articles written behind the application's back, ``rebuild_index`` repairs them.

Who searches decides what may match (``scope``): editors every article, members the full
text of published ones, everyone else the full text of ordinary articles and only the title
and free preview of members-only ones, so hidden text cannot be found by matching it.

Ranking, the same on both databases: **tier 1** articles with some term of the query in the
title, **tier 2** some term in a heading (none in the title), **tier 3** the body alone. Within
a tier, the newest ``ranking.RANK_WINDOW`` (40) matches are ordered by **closeness** (all the
terms within ~30 characters, then ~120) and **occurrences** (each term counted up to 10, codes
as their words), **newest first** on ties, by article id (articles are added in publication
order by the importer); past that window a tier stays newest first. The scores come from the
texts of the window alone (``ranking``), so a page never scores every match: bm25 must
(130 ms for a term in every article on SQLite; its phrase statistics read every match even
for one row) and ``ts_rank`` reads every matching vector (seconds on PostgreSQL).

Counting and paging (``search_results``) never join every match with its article:

- the index is restricted by article id only (``scope.parts``): nothing for editors, the
  few *hidden* ids (``Article.objects.hidden_ids()``: drafts, scheduled articles, articles of
  unpublished compilations, and for the public the members-only ones, which it searches in
  the preview index) excluded, or ``IN`` the filters' own ids;
- a page is fetched tier by tier, each in id order with a LIMIT (SQLite: FTS5 returns rowids in
  order and stops; PostgreSQL: title and heading tiers through their GIN indexes, the body
  tier from the newest ids of the matches, or for a very common term by walking the newest
  articles and stopping: ``postgres.tier_ids``);
- SQLite counts (and lists the ids of) a large library's matches in one range of ids per
  core, at once (``sqlite._in_ranges``); PostgreSQL, for a query checked on positions,
  fetches the ids once and tiers a page of up to a few thousand matches from them
  (``postgres.ids_first``), so no candidate is checked twice.

Measured (``manage.py bench_search``, 100,000 synthetic articles, 100 M indexed characters,
277 MiB UTF-8, 78 queries; details and figures in ``BENCHMARKS.md``): recall and precision
100% on both databases (every result set equal to the oracle's); latency still grows with the
number of matches for phrases (SQLite checks every candidate's positions; PostgreSQL those of
terms longer than six characters and of phrases across punctuation) and for counts (on
PostgreSQL each match is a heap visit, ~0.2 µs in the narrow grams table).

Public interface:
- ``search_results(q, scope, filters=None)``: ``SearchResults`` with ``count()``, slices of
  ranked ids (for ``Paginator``), ``match_ids()`` and ``matches()`` (unordered QuerySet).
- ``search_articles(queryset, q)``: matches of ``q`` in ``queryset`` on the full text,
  annotated ``search_rank`` (2, 1, 0 by tier), ordered by tier then newest (editors, tests).
- ``snippets(text, q, limit=3)``, ``highlight(text, q)``, ``query_terms(q)``.
- ``forget(ids)`` / ``index_written(ids)``: the write services' hook, before and after a
  write of these articles' indexed columns (or their deletion: ``forget`` alone);
  ``index_articles(ids)`` re-indexes rows written without it (``bulk_create``).
- ``check_index()``, ``rebuild_index(progress=None)`` (``manage.py check_search_index``,
  ``rebuild_search_index``).
"""
from itertools import groupby
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL

from .backends import backend
from .documents import STATE, Row, iter_rows, read_rows
from .highlight import highlight, query_terms, snippets
from .query import parse
from .ranking import RANK_WINDOW, order_windows
from .scope import PREVIEW, Scope, parts, scope_for

# How terms match: ``exact`` (the default, like Ctrl-F), ``loose`` (punctuation-blind:
# 入脑入心 finds 入“脑”入“心”), ``auto`` (exact, or loose when exact finds nothing).
EXACT, LOOSE, AUTO = "exact", "loose", "auto"
MATCHES = (EXACT, LOOSE, AUTO)

__all__ = [
    "AUTO",
    "EXACT",
    "LOOSE",
    "Scope",
    "backend",
    "check_index",
    "forget",
    "highlight",
    "index_articles",
    "index_written",
    "parse",
    "query_terms",
    "rebuild_index",
    "scope_for",
    "search_articles",
    "search_results",
    "snippets",
]


def search_articles(queryset, q):
    """Articles of ``queryset`` matching ``q`` on their full text, annotated ``search_rank``
    (2 some term in the title, 1 in a heading, 0 the body alone), by tier then newest.

    An empty or unusable query gives ``.none()``. Every match is ranked before the first row
    comes back: for pages, use ``search_results``.
    """
    parsed = parse(q)
    if not parsed:
        return queryset.none()
    engine = backend()
    matched = Q()
    for part in parts(Scope.EDITOR, full_text=engine.full_text_parts):
        matched |= Q(pk__in=RawSQL(*engine.match_sql(parsed, part)))
    title_sql, title_params = engine.tier_sql(parsed, 0)
    heading_sql, heading_params = engine.tier_sql(parsed, 1)
    rank = Case(
        When(pk__in=RawSQL(title_sql, title_params), then=Value(2)),
        When(pk__in=RawSQL(heading_sql, heading_params), then=Value(1)),
        default=Value(0), output_field=IntegerField(),
    )
    return (queryset.filter(matched).annotate(search_rank=rank)
            .order_by("-search_rank", "-id"))


class SearchResults:
    """The matches of ``q`` in a scope (``scope.Scope``), narrowed to the articles of
    ``filters`` (a QuerySet) when given, ranked, for Django's ``Paginator``.

    ``count()`` and slices of article ids (``results[0:20]``) are answered by the index
    alone, without ranking every match: tier by tier (some term in the title, some term in a
    heading, the body alone), the first ``RANK_WINDOW`` of a tier by closeness and
    occurrences, then newest first (see the module docstring). Each part of the scope
    (``scope.parts``) is asked apart and the answers merged: parts never overlap.
    ``matches()`` is the unordered QuerySet of the matching articles; ``match_ids()`` their
    ids from the index alone (for facet counts, ``facets.facets_for_ids``).
    """

    def __init__(self, q, scope=Scope.EDITOR, filters=None, match=EXACT):
        if not isinstance(q, str) or not isinstance(scope, Scope) or match not in MATCHES:
            raise TypeError("search_results(q: str, scope: Scope, filters=None, match=…)")
        self.scope = scope
        self.filters = filters
        self.parsed = parse(q)
        self.engine = backend()
        self.parts = (self.engine.prepare(parts(scope, filters,
                                                full_text=self.engine.full_text_parts))
                      if self.parsed else [])
        self._counts = {}
        self._ids = {}
        self._match = EXACT
        # ``auto``: exact, or the punctuation-blind matches (marked as such) when nothing
        # matches exactly. Settled by the first thing asked, with what that fetches anyway:
        # a page's facet counts fetch the ids, and then need no count to settle it first.
        self._unsettled = match == AUTO and self.parsed.loosens
        if match == LOOSE:
            self._loosen()

    @property
    def match(self) -> str:
        """How the terms matched: ``exact`` or ``loose``."""
        self._settle()
        return self._match

    def _settle(self, *, ids=False):
        if self._unsettled:
            self._unsettled = False
            if ids:
                for part in self.parts:
                    self._part_ids(part)
            if not self._any():
                self._loosen()

    def _loosen(self):
        self.parsed, self._match = self.parsed.loosened(), LOOSE
        self._counts, self._ids = {}, {}

    def _any(self) -> bool:
        """Whether anything matches, asked without counting where the engine can (a page
        whose facet counts are cached needs no count at all)."""
        for part in self.parts:
            found = None if part in self._counts else self.engine.exists(self.parsed, part)
            if found is None:
                found = self._part_count(part) > 0
            if found:
                return True
        return False

    def _part_count(self, part) -> int:
        if part not in self._counts:
            if self.engine.ids_first(self.parsed, part):
                self._part_ids(part)  # they cost what the count costs, and then tier the page
            else:
                self._counts[part] = self.engine.count(self.parsed, part)
        return self._counts[part]

    def _part_ids(self, part) -> list[int]:
        if part not in self._ids:
            self._ids[part] = self.engine.ids(self.parsed, part)
            self._counts[part] = len(self._ids[part])
        return self._ids[part]

    def count(self) -> int:
        self._settle()
        return sum(self._part_count(part) for part in self.parts)

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            if item < 0:
                raise IndexError("negative index")
            found = self[item:item + 1]
            if not found:
                raise IndexError(item)
            return found[0]
        start, stop = item.start or 0, item.stop
        if item.step not in (None, 1) or start < 0 or stop is None or stop < 0:
            raise ValueError("only forward slices with an end")
        self._settle()
        if not self.parts or stop <= start:
            return []
        limit = max(stop, RANK_WINDOW)
        rows, preview = [], set()
        for part in self.parts:
            total = self._part_count(part) if self.engine.page_needs_total(part) else None
            found = self.engine.tier_ids(
                self.parsed, limit, part, total=total, ids=self._ids.get(part)
            )
            rows += found
            if part.index == PREVIEW:
                preview.update(pk for _tier, pk in found)
        rows.sort(key=lambda row: (row[0], -row[1]))
        tiers, seen = [], 0
        for _tier, group in groupby(rows, key=itemgetter(0)):
            ids = [pk for _tier, pk in group][:limit]  # each part gave its newest ``limit``
            window = ids[:RANK_WINDOW]
            # Only windows that reach into the page asked for are scored.
            tiers.append((window, ids[RANK_WINDOW:], seen < stop and seen + len(window) > start))
            seen += len(ids)
            if seen >= stop:
                break
        ordered = order_windows(
            [w for w, _rest, scored in tiers if scored], self.parsed.atoms, preview=preview
        )
        ranked = []
        for window, rest, scored in tiers:
            ranked += (ordered.pop(0) if scored else window) + rest
        return ranked[start:stop]

    def match_ids(self) -> list[int]:
        """The ids of every match, unordered, from the index alone (for facet counts);
        also sets the count, so the page needs no second count."""
        self._settle(ids=True)
        return [pk for part in self.parts for pk in self._part_ids(part)]

    def matches(self):
        """The matching articles, unordered (a QuerySet)."""
        from ..models import Article

        self._settle()
        base = self.filters if self.filters is not None else Article.objects.all()
        if not self.parts:
            return base.none()
        condition = Q()
        for part in self.parts:
            condition |= Q(pk__in=RawSQL(*self.engine.match_sql(self.parsed, part)))
        return base.filter(condition)


def search_results(q, scope=Scope.EDITOR, filters=None, match=EXACT) -> SearchResults:
    """``SearchResults`` of ``q`` in ``scope`` (narrowed to ``filters``): a count and ranked
    pages of ids; ``match`` says how terms match (``results.match``: how they did)."""
    return SearchResults(q, scope, filters, match)


# -- indexing -----------------------------------------------------------------------------


def forget(ids=None, *, rows=None):
    """The write hook *before* these articles' title, headings, text or members-only flag
    change, or they are deleted: their index entries are taken out while their old values
    are still there to say what they were (``rows``, when the caller holds them)."""
    if not backend().forgets:
        return
    rows = list(rows) if rows is not None else read_rows(ids or [])
    if rows:
        with connection.cursor() as cursor:
            backend().forget(rows, cursor)


def index_written(ids):
    """The write hook *after*: these articles were created or had their indexed columns
    changed in the current transaction; index them now, in it."""
    index_articles(ids)


def index_articles(ids):
    """(Re)index these articles from their rows, in the current transaction; idempotent."""
    ids = list(ids)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            backend().index(read_rows(ids[start:start + 500]), cursor)


def check_index(batch=1000) -> dict[str, list[int]]:
    """Articles whose index entry does not match their row (``SearchBackend.stale``)."""
    with transaction.atomic(), connection.cursor() as cursor:
        return backend().stale(cursor, iter_rows(batch))


def rebuild_index(progress=None, batch=1000):
    """Empty the index and index every article again, in one transaction.

    ``progress(done, total)`` is called after each batch. Returns the number indexed.
    """
    from ..models import Article

    engine = backend()
    total = Article.objects.count()
    done = 0
    with transaction.atomic(), connection.cursor() as cursor:
        engine.clear(cursor)
        for rows in iter_rows(batch):
            engine.index(rows, cursor)
            done += len(rows)
            if progress:
                progress(done, total)
        engine.optimise(cursor)
    return done


def after_migrate(sender=None, using="default", verbosity=1, **kwargs):
    """post_migrate (also sent by ``flush``): an index whose state is empty while articles
    exist (a database the search migration just upgraded) is built; an index left with
    entries after the articles were emptied behind its back (``flush`` deletes rows without
    a signal) is cleared."""
    from django.db import connections

    from ..models import Article

    conn = connections[using]
    if conn.alias != connection.alias:
        return
    tables = conn.introspection.table_names()
    if STATE not in tables or Article._meta.db_table not in tables:
        return  # migrated only part of the way
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STATE})")
        indexed = bool(cursor.fetchone()[0])
    articles = Article.objects.exists()
    if articles and not indexed:
        if verbosity:
            print("Indexing the articles for search …")
        rebuild_index()
    elif indexed and not articles:
        with transaction.atomic(), conn.cursor() as cursor:
            backend().clear(cursor)


# -- saves outside the write services (tests, the shell, bulk loaders) -----------------------


def on_article_pre_save(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        forget([instance.pk])


def on_article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_articles([instance.pk])


def on_article_pre_delete(sender, instance, **kwargs):
    forget(rows=[Row.of(instance)])
