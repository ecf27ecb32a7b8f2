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

- SQLite (``sqlite``): contentless FTS5 table, ``ascii`` tokenizer, ``detail=full``, a
  one-character prefix index (``prefix='1'``: a 1-character term reads one list); triggers
  keep it current. A covering index on the articles keeps joins from reading article rows.
- PostgreSQL (``postgres``): a positional ``tsvector`` with a GIN index (pg_trgm answers no 1–2
  character Han term either), plus GIN indexes on the small title and heading vectors; the
  match goes through a function pinned to the index.

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

- the index is restricted by article id only: nothing for editors (every article), the few
  *hidden* ids (``Article.objects.hidden_ids()``: drafts, scheduled articles, articles of
  unpublished compilations) excluded for the public scope (``Article.objects.published()``,
  which the reader's ``listable`` is, recognised by its SQL), or ``IN`` the queryset's own ids
  for any other filter;
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
- ``search_results(queryset, q)``: ``SearchResults`` with ``count()``, slices of ranked ids
  (for ``Paginator``) and ``matches()`` (unordered QuerySet, for facet counts).
- ``search_articles(queryset, q)``: matches of ``q`` in ``queryset``, annotated
  ``search_rank`` (2, 1, 0 by tier), ordered by tier then newest; composes with
  ``filter()``/``count()`` but joins every match: use ``search_results`` for pages.
- ``snippets(text, q, limit=3)``, ``highlight(text, q)``, ``query_terms(q)``.
- ``index_articles(ids)``: re-index given articles. Needed on PostgreSQL after writes that
  bypass ``save()`` (``bulk_create``, ``QuerySet.update``); harmless on SQLite, where triggers
  already index every write.
- ``rebuild_index(progress=None)``: the whole index anew (``manage.py rebuild_search_index``).
"""
from itertools import groupby
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction

from .highlight import highlight, query_terms, snippets
from .query import parse
from .ranking import RANK_WINDOW, order_windows

__all__ = [
    "highlight",
    "index_articles",
    "index_written",
    "parse",
    "query_terms",
    "rebuild_index",
    "search_articles",
    "search_results",
    "snippets",
]


def backend(conn=None):
    """The backend module for a connection's database vendor."""
    conn = conn or connection
    if conn.vendor == "postgresql":
        from . import postgres

        return postgres
    if conn.vendor == "sqlite":
        from . import sqlite

        return sqlite
    raise NotImplementedError(f"no search backend for {conn.vendor}")


def search_articles(queryset, q):
    """Articles of ``queryset`` matching ``q``, annotated ``search_rank`` (the tier), by tier
    then newest (pages, with the order within tiers: ``search_results``).

    An empty or unusable query (only punctuation, too long is cut) gives ``.none()``.
    Every match is ranked before the first row comes back: for pages, use ``search_results``.
    """
    parsed = parse(q)
    if not parsed:
        return queryset.none()
    return backend().search(queryset, parsed).order_by("-search_rank", "-id")


def _sql(queryset):
    try:
        return str(queryset.order_by().query)
    except EmptyResultSet:  # a filter that can match nothing: not a known scope
        return None


_KNOWN_SCOPES = {}


def _known_scopes(model):
    """{SQL of a scope's queryset: restriction} for the scopes recognised, built once."""
    if model not in _KNOWN_SCOPES:
        hidden = model.objects.hidden_ids()
        hidden_sql, params = hidden.query.sql_with_params()
        public = (f"NOT IN ({hidden_sql})", tuple(params))
        _KNOWN_SCOPES[model] = {
            _sql(model.objects.all()): None,
            _sql(model.objects.published()): public,  # also the reader's ``listable``
        }
    return _KNOWN_SCOPES[model]


def _restriction(queryset):
    """Which articles of the index ``queryset`` admits, as ``rowid …`` SQL for the backends:
    ``None`` for every article; the few hidden ones (drafts, articles of unpublished
    compilations) excluded for the public scope; otherwise the queryset's own ids."""
    sql = _sql(queryset)
    known = _known_scopes(queryset.model)
    if sql is not None and sql in known:
        return known[sql]
    try:
        pk_sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # ``.none()`` and filters that can match nothing
        return "IN (SELECT 0 WHERE 1 = 0)", []
    return f"IN ({pk_sql})", params


class SearchResults:
    """The matches of ``q`` in ``queryset``, ranked, for Django's ``Paginator``.

    ``count()`` and slices of article ids (``results[0:20]``) are answered by the index
    alone, without ranking every match: tier by tier (some term in the title, some term in a
    heading, the body alone), the first ``RANK_WINDOW`` of a tier by closeness and
    occurrences, then newest first (see the module docstring).
    ``matches()`` is the unordered QuerySet of the matching articles; ``match_ids()`` their
    ids from the index alone (for facet counts, ``facets.facets_for_ids``).
    """

    def __init__(self, queryset, q):
        self.queryset = queryset
        self.parsed = parse(q)
        self._count = None
        self._ids = None
        self._restrict = _restriction(queryset) if self.parsed else None

    def count(self) -> int:
        if self._count is None:
            if not self.parsed:
                self._count = 0
            elif backend().ids_first(self.parsed):
                self.match_ids()  # they cost what the count costs, and then tier the page
            else:
                self._count = backend().count(self.parsed, self._restrict)
        return self._count

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
        if not self.parsed or stop <= start:
            return []
        engine = backend()
        total = self.count() if engine.PAGE_NEEDS_TOTAL else None
        rows = engine.tier_ids(
            self.parsed, max(stop, RANK_WINDOW), self._restrict, total=total, ids=self._ids
        )
        tiers, seen = [], 0
        for _tier, group in groupby(rows, key=itemgetter(0)):
            ids = [pk for _tier, pk in group]
            window = ids[:RANK_WINDOW]
            # Only windows that reach into the page asked for are scored.
            tiers.append((window, ids[RANK_WINDOW:], seen < stop and seen + len(window) > start))
            seen += len(ids)
            if seen >= stop:
                break
        ordered = order_windows([w for w, _rest, scored in tiers if scored], self.parsed.atoms)
        ranked = []
        for window, rest, scored in tiers:
            ranked += (ordered.pop(0) if scored else window) + rest
        return ranked[start:stop]

    def match_ids(self) -> list[int]:
        """The ids of every match, unordered, from the index alone (for facet counts);
        also sets the count, so the page needs no second count."""
        if self._ids is None:
            self._ids = backend().ids(self.parsed, self._restrict) if self.parsed else []
            self._count = len(self._ids)
        return self._ids

    def matches(self):
        """The matching articles of ``queryset``, unordered (a QuerySet)."""
        if not self.parsed:
            return self.queryset.none()
        return backend().search(self.queryset, self.parsed, ranked=False)


def search_results(queryset, q) -> SearchResults:
    """``SearchResults`` of ``q`` in ``queryset``: a count and ranked pages of ids."""
    return SearchResults(queryset, q)


def _rows(ids):
    from ..models import Article

    return Article.objects.filter(pk__in=ids).values_list("pk", "title", "sections", "text")


def index_articles(ids):
    """Re-index these articles (idempotent), in the current transaction."""
    ids = list(ids)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            backend().index_rows(_rows(ids[start:start + 500]), cursor)


def index_written(ids):
    """The index hook of the write services: these articles were created or had their title,
    headings or text changed in the current transaction. SQLite's triggers have indexed them
    already; PostgreSQL indexes them now (``index_articles``)."""
    if connection.vendor != "sqlite":
        index_articles(ids)


def rebuild_index(progress=None, batch=1000):
    """Empty the index and index every article again, in one transaction.

    ``progress(done, total)`` is called after each batch. Returns the number indexed.
    """
    from ..models import Article

    engine = backend()
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        engine.clear(cursor)
        for start in range(0, len(ids), batch):
            engine.index_rows(_rows(ids[start:start + batch]), cursor, replace=False)
            if progress:
                progress(min(start + batch, len(ids)), len(ids))
        engine.optimise(cursor)
    return len(ids)


def on_article_saved(sender, instance, raw=False, **kwargs):
    """post_save: index the article on databases without index triggers (PostgreSQL)."""
    if connection.vendor != "sqlite" and not raw:
        index_articles([instance.pk])
