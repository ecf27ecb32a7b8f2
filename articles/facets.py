"""Exact facet counts for the article list, search results and index pages, cached.

Counting eight facets over 100,000 articles takes a few hundred milliseconds, so results are
cached under a key that holds the *library version* (``articles.library``): a number in the
database that every write service moves forward in its transaction. A new version orphans
every cached count at once, in every process, so counts are never stale; they are recomputed
by the next reader. Writes made outside the services (a test's factories, the shell) move it
too, through the signals ``connect_invalidation`` connects.
"""
import hashlib
import json
import threading
from collections import Counter
from itertools import groupby
from operator import itemgetter

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F
from django.db.models.signals import m2m_changed, post_delete, post_save

from .library import library_version, note_change
from .models import (
    Agency,
    Article,
    Compilation,
    Initiative,
    TaggedInitiative,
    TaggedTheme,
    Theme,
    TocEntry,
    agency_label,
)
from .regions import gazetteer

# A set of ids holding more than this share of the library is counted by its complement.
COMPLEMENT_SHARE = 0.8
FACET_LIMIT = 30  # values kept per facet (by count); the selected value is always among them
CACHE_SECONDS = 24 * 3600
FACET_NAMES = (
    "level", "sector", "region", "agency", "theme", "initiative", "year", "compilation",
)


def bump_library_version(*args, **kwargs) -> None:
    """Signal receiver: any write moves the library version (inside a write service, once,
    when the service finishes)."""
    if kwargs.get("raw"):
        return
    note_change()


def connect_invalidation() -> None:
    """Bump the library version on every write that can change a count or a label."""
    for model in (Article, Compilation, Agency, Initiative, Theme, TaggedInitiative,
                  TaggedTheme, TocEntry):
        uid = f"huibian-facets-{model.__name__}"
        post_save.connect(bump_library_version, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(bump_library_version, sender=model, dispatch_uid=uid + "-delete")
    for through in (TaggedInitiative, TaggedTheme):
        m2m_changed.connect(
            bump_library_version, sender=through, dispatch_uid=f"huibian-facets-m2m-{through}"
        )


def cached(name: str, params, compute):
    """``compute()`` cached under ``name`` + ``params`` for the current library version."""
    digest = hashlib.sha1(
        json.dumps(params, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    ).hexdigest()
    key = f"huibian:{name}:{library_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _top(rows):
    """Rows of (value, label, count) with a count, most frequent first, at most FACET_LIMIT."""
    rows = [row for row in rows if row[2]]
    rows.sort(key=lambda row: (-row[2], str(row[1])))
    return rows[:FACET_LIMIT]


def compute_facets(queryset, *, joinable=False) -> dict:
    """Exact counts of the articles in ``queryset`` per facet value, and their total, by SQL:
    the reference the in-memory counts (``compute_facets_for_ids``, what the pages use) are
    tested against.

    Returns ``{"total": n, "level": [(value, label, count), …], …}``: values are what the
    list's query parameters take (agency id, theme slug, year …). Seven queries whatever the
    size of the set: agency, level, sector and region come from one GROUP BY on the agency.
    ``joinable``: count tags by joining from ``queryset`` (needed for search results).
    """
    base = queryset.order_by()
    by_level, by_sector, by_region, agencies = {}, {}, {}, []
    for row in base.values(
        "agency_id", "agency__name", "agency__region", "agency__level", "agency__sector"
    ).annotate(n=Count("pk")):
        if row["agency_id"] is None:
            continue
        n = row["n"]
        label = agency_label(row["agency__name"], row["agency__region"])
        agencies.append((row["agency_id"], label, n))
        by_level[row["agency__level"]] = by_level.get(row["agency__level"], 0) + n
        if row["agency__sector"]:
            by_sector[row["agency__sector"]] = by_sector.get(row["agency__sector"], 0) + n
        if row["agency__region"]:
            by_region[row["agency__region"]] = by_region.get(row["agency__region"], 0) + n
    # ``year + 0``: grouping on the bare column makes SQLite walk the year index and read every
    # row for its compilation; the expression lets it use the covering article_facet_idx.
    years = list(
        base.annotate(facet_year=F("year") + 0).values_list("facet_year").annotate(n=Count("pk"))
    )
    total = sum(n for _, n in years)
    # ``+ 0`` again: grouping on the bare FK walks its index and reads every row (~4× slower).
    by_compilation = list(
        base.annotate(facet_compilation=F("compilation_id") + 0)
        .values_list("facet_compilation")
        .annotate(n=Count("pk"))
    )
    if joinable:
        # From the article side: the search backends add conditions on the article table by
        # name, which a subquery would alias away.
        themes = base.filter(themes__isnull=False).values_list(
            "themes__slug", "themes__name"
        ).annotate(n=Count("pk"))
        initiatives = base.filter(initiatives__isnull=False).values_list(
            "initiatives__slug", "initiatives__name"
        ).annotate(n=Count("pk"))
    else:
        # From the tagging tables against the set's ids: half the time of the join at 100k.
        ids = base.values("pk")
        themes = TaggedTheme.objects.filter(content_object_id__in=ids).values_list(
            "tag__slug", "tag__name"
        ).annotate(n=Count("pk"))
        initiatives = TaggedInitiative.objects.filter(content_object_id__in=ids).values_list(
            "tag__slug", "tag__name"
        ).annotate(n=Count("pk"))
    return _assemble(total, by_level, by_sector, by_region, agencies, list(themes),
                     list(initiatives), years, by_compilation)


def region_counts(by_region) -> list[tuple[str, str, int]]:
    """(code, short name, count) for every region holding the agencies' regions: an article
    counts for its agency's county, prefecture and province, so the facet can be walked down
    (the page shows the level under the selected region, ``views.reader``)."""
    places = gazetteer()
    counts = Counter()
    for code, n in by_region.items():
        place = places.get(code)
        for c in (place.chain if place else ()):
            counts[c] += n
    return sorted(((code, places.label(code), n) for code, n in counts.items()),
                  key=lambda row: (-row[2], row[0]))


def _assemble(total, by_level, by_sector, by_region, agencies, themes, initiatives, years,
              by_compilation) -> dict:
    """The facet dict from raw counts (shared by the SQL and the in-memory counts); the
    region facet holds every level (``region_counts``)."""
    levels = dict(Agency.Level.choices)
    level_order = list(levels)
    by_compilation = sorted(by_compilation, key=lambda row: (-row[1], row[0]))[:FACET_LIMIT]
    titles = dict(
        Compilation.objects.filter(pk__in=[pk for pk, _ in by_compilation])
        .values_list("pk", "title")
    )
    return {
        "total": total,
        "level": sorted(
            [(value, str(levels.get(value, value)), n) for value, n in by_level.items()],
            key=lambda row: level_order.index(row[0]) if row[0] in levels else 99,
        ),
        "sector": _top([(value, value, n) for value, n in by_sector.items()]),
        "region": region_counts(by_region),
        "agency": _top(agencies),
        "theme": _top(themes),
        "initiative": _top(initiatives),
        "year": sorted(
            [(year, str(year), n) for year, n in years if year is not None],
            key=lambda row: -row[0],
        ),
        "compilation": [(pk, titles.get(pk, str(pk)), n) for pk, n in by_compilation],
    }


_MISSING = object()  # in the maps' article lists: no such article when they were read


_TAG_ID = itemgetter(1)


def _all_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` QuerySet in one fetch: iterating it fetches 100 rows at a
    time, a tenth of a second for the 300,000 rows of the maps at 100,000 articles."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _Maps:
    """Compact in-memory maps of the whole library for counting facets over a set of ids.

    Lists indexed by article id: agency id, year, compilation id, and the index of the
    article's set of theme (initiative) tag ids among the distinct sets; agency id → (label,
    level, sector, region); tag id → (slug, name). Read in six queries (the article columns
    from a covering index); built once per library version and process (``_maps``). At
    100,000 articles: ~0.2 s and ~30 MiB (see BENCHMARKS.md)."""

    def __init__(self):
        rows = _all_rows(Article.objects.order_by().values_list(
            "pk", "agency_id", "year", "compilation_id"
        ))
        size = max((row[0] for row in rows), default=0) + 1
        self.articles = len(rows)
        self.agency_at = [_MISSING] * size
        self.year_at = [_MISSING] * size
        self.compilation_at = [_MISSING] * size
        # One int object per compilation, not per article: counting 100,000 references to a
        # thousand objects is twice as fast as to 100,000 scattered ones.
        shared = {}
        for pk, agency, year, compilation in rows:
            self.agency_at[pk] = agency
            self.year_at[pk] = year
            self.compilation_at[pk] = shared.setdefault(compilation, compilation)
        self.agency = {}
        for pk, name, region, level, sector in Agency.objects.order_by().values_list(
            "pk", "name", "region", "level", "sector"
        ):
            self.agency[pk] = (agency_label(name, region), level, sector, region)
        self.theme_set_at, self.theme_sets = self._tag_sets(TaggedTheme, size)
        self.initiative_set_at, self.initiative_sets = self._tag_sets(TaggedInitiative, size)
        self.theme = {
            pk: (slug, name) for pk, slug, name in Theme.objects.values_list("pk", "slug", "name")
        }
        self.initiative = {
            pk: (slug, name)
            for pk, slug, name in Initiative.objects.values_list("pk", "slug", "name")
        }
        # Every article's id and its counts, for sets counted by their complement (the
        # first time one is asked for).
        self.known, self.known_counts = None, None

    @staticmethod
    def _tag_sets(through, size):
        """Per article id the index of its set of tag ids in the list of distinct sets."""
        rows = _all_rows(through.objects.order_by("content_object_id", "tag_id").values_list(
            "content_object_id", "tag_id"
        ))
        sets, index = [()], {(): 0}
        set_at = [0] * size
        for pk, group in groupby(rows, key=itemgetter(0)):
            key = tuple(map(_TAG_ID, group))
            if key not in index:
                index[key] = len(sets)
                sets.append(key)
            if pk < size:
                set_at[pk] = index[key]
        return set_at, sets

    @staticmethod
    def _pick(ids):
        """A function taking a list indexed by id to the values of ``ids`` (C speed)."""
        if len(ids) == 1:
            return lambda values: (values[ids[0]],)
        return itemgetter(*ids) if ids else (lambda values: ())

    @staticmethod
    def _spread(set_counts, sets) -> Counter:
        """Articles per tag id, from articles per distinct set of tag ids."""
        counts = Counter()
        for set_index, n in set_counts.items():
            for tag_id in sets[set_index]:
                counts[tag_id] += n
        return counts

    @staticmethod
    def _labelled(counts, labels, strict=True):
        return [
            (*labels[tag_id], n) for tag_id, n in counts.items() if strict or tag_id in labels
        ]

    def knows(self, pk) -> bool:
        return 0 <= pk < len(self.agency_at) and self.agency_at[pk] is not _MISSING

    def _counts(self, ids) -> tuple[Counter, ...]:
        """Raw counts of ``ids`` by agency, year, theme, initiative and compilation (a few
        thousand keys at most); ``KeyError`` for an id the maps do not know."""
        pick = self._pick(ids)
        try:
            by_agency = Counter(pick(self.agency_at))
        except IndexError:
            raise KeyError("article") from None
        if _MISSING in by_agency:
            raise KeyError("article")
        # One C-level count per facet: articles rarely share all of agency, year, themes and
        # initiatives (95,067 distinct combinations in the 100,000-article corpus), so
        # counting the combinations first and spreading them in Python was ~3× slower.
        return (by_agency, Counter(pick(self.year_at)),
                self._spread(Counter(pick(self.theme_set_at)), self.theme_sets),
                self._spread(Counter(pick(self.initiative_set_at)), self.initiative_sets),
                Counter(pick(self.compilation_at)))

    def _known(self) -> frozenset:
        """Every article's id; its counts in ``known_counts`` (set first: another thread
        may read them as soon as ``known`` is set)."""
        known = self.known
        if known is None:
            known = frozenset(
                pk for pk, agency in enumerate(self.agency_at) if agency is not _MISSING)
            self.known_counts = self._counts(list(known))
            self.known = known
        return known

    def facets(self, ids, strict=True) -> dict:
        """The facets of ``ids`` (distinct); ``KeyError`` for an id the maps do not know
        (``strict``: also for a tag or agency without label, otherwise skipped).

        Counts add up over disjoint sets, so a set holding most of the library is counted
        as every article less the few it lacks (its complement): a term in 80% of the
        articles costs a count over 20% of them."""
        counts = None
        if len(ids) > COMPLEMENT_SHARE * self.articles:
            known, wanted = self._known(), set(ids)
            rest = known - wanted
            # Every id known (and none twice): then the known less the rest are the ids.
            if len(wanted) == len(ids) == len(known) - len(rest):
                counts = [whole - part for whole, part in
                          zip(self.known_counts, self._counts(list(rest)))]
        if counts is None:
            counts = self._counts(ids)
        by_agency, years, themes, initiatives, by_compilation = counts
        by_level, by_sector, by_region, agencies = Counter(), Counter(), Counter(), []
        for agency_id, n in by_agency.items():
            if agency_id is None:
                continue
            if not strict and agency_id not in self.agency:
                continue
            label, level, sector, region = self.agency[agency_id]
            agencies.append((agency_id, label, n))
            by_level[level] += n
            if sector:
                by_sector[sector] += n
            if region:
                by_region[region] += n
        return _assemble(
            len(ids), dict(by_level), dict(by_sector), dict(by_region), agencies,
            self._labelled(themes, self.theme, strict),
            self._labelled(initiatives, self.initiative, strict),
            list(years.items()),
            list(by_compilation.items()),
        )


_MAPS = {"version": None, "maps": None}
_MAPS_LOCK = threading.Lock()


def _maps(*, fresh=False) -> _Maps:
    """The maps of the current library version, built on first use (or ``fresh``)."""
    version = library_version()
    with _MAPS_LOCK:
        maps = _MAPS["maps"]
        if fresh or maps is None or _MAPS["version"] != version:
            maps = _Maps()
            _MAPS.update(version=version, maps=maps)
        return maps


def prepare_maps() -> None:
    """Build this process's maps for the current library version now rather than in the first
    search that needs them (~0.3 s at 100,000 articles)."""
    _maps()


def compute_facets_for_ids(ids) -> dict:
    """``compute_facets`` of the articles with these ids, counted in memory in one pass over
    the ids (exact: the same counts as the SQL GROUP BYs; no query once the maps are built,
    but the titles of the top compilations)."""
    ids = list(ids)
    maps = _maps()
    for _ in range(2):
        try:
            return maps.facets(ids)
        except KeyError:  # an article or tag the maps do not know (committed since they were
            maps = _maps(fresh=True)  # read, or removed between two of their six queries)
    # Still unknown: ids the index has and the article table has not (never in normal
    # operation); the SQL join drops them too. Never an error page.
    return maps.facets([pk for pk in ids if maps.knows(pk)], strict=False)


def facets_for_ids(ids_of, *, scope: str, params) -> dict:
    """Cached ``compute_facets_for_ids(ids_of())``; ``scope`` and ``params`` identify the set."""
    return cached("facets", [scope, params], lambda: compute_facets_for_ids(ids_of()))


def facets_for(queryset, *, scope: str, params) -> dict:
    """Cached exact counts of the articles of ``queryset``: their ids read in one query and
    counted in memory (``compute_facets_for_ids``: the same counts as ``compute_facets``'
    GROUP BYs, which cost ~0.5 s for the whole library against ~0.1 s); ``scope`` and
    ``params`` must identify the set."""
    return facets_for_ids(lambda: queryset.order_by().values_list("pk", flat=True),
                          scope=scope, params=params)


def tag_counts(relation: str, *, scope: str, queryset) -> list:
    """Every tag of ``relation`` ("themes" or "initiatives") with the number of articles of
    ``queryset`` it tags, most used first (for the theme and initiative index pages)."""
    def compute():
        rows = queryset.order_by().filter(**{f"{relation}__isnull": False}).values_list(
            f"{relation}__slug", f"{relation}__name"
        ).annotate(n=Count("pk"))
        return sorted(rows, key=lambda row: (-row[2], row[1]))
    return cached(f"tags-{relation}", [scope], compute)


def agency_counts(*, scope: str, queryset) -> list:
    """Every agency with articles in ``queryset``: (id, name, region, level, sector, count)."""
    def compute():
        rows = queryset.order_by().values_list(
            "agency_id", "agency__name", "agency__region", "agency__level", "agency__sector"
        ).annotate(n=Count("pk"))
        return sorted((row for row in rows if row[0] is not None), key=lambda r: (-r[5], r[1]))
    return cached("agencies", [scope], compute)
