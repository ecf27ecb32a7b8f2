"""A deterministic library of ``n`` articles with realistic metadata, for the reader-page
benchmark (``manage.py bench_views``).

The text of each article comes from the search benchmark's generator
(``articles.benchmarks.synthetic``), so both benchmarks read the same kind of material. Around it
this module adds what the facets need at library scale: ~2,000 agencies across 6 levels,
40 sectors and 50 regions, used with a skewed (Zipf) frequency; 100 articles a compilation;
1–3 themes and 0–2 of 400 initiatives per article; years 2015–2025; 10% members-only; 1% drafts.
Rows are written with ``bulk_create`` and the search index is rebuilt once at the end.
"""
import datetime
import itertools
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from ..facets import bump_library_version
from ..models import (
    Agency,
    Article,
    Compilation,
    Initiative,
    Status,
    TaggedInitiative,
    TaggedTheme,
    Theme,
    TocEntry,
)
from . import synthetic

MARKER = "阅读基准语料"
PER_COMPILATION = 100
LEVELS = ["省", "市", "州", "县", "区", "乡镇"]
SECTORS = [
    "审计", "组织", "民政", "交通运输", "文明办", "财政", "卫健", "司法", "应急管理", "生态环境",
    "税务", "农业农村", "住建", "教育", "医保", "林业", "统计", "市场监管", "宣传", "纪检监察",
    "水利", "商务", "自然资源", "人社", "公安", "信访", "档案", "机关工委", "统战", "政法",
    "发改", "工信", "科技", "文旅", "退役军人", "体育", "气象", "供销", "工会", "共青团",
]
REGION_COUNT = 50  # real divisions, every level, spread over the provinces (``_regions``)
NUMERALS = "一二三四五六七八九十"
TAILS = [
    "点聚力", "个强化", "个着力", "项举措", "化", "型", "突出三强化", "联四促", "级联动", "心合力",
    "学三比", "轮驱动", "个一", "张清单", "个到位", "维发力", "抓三促", "个聚焦", "步工作法", "色引领",
    "强三提", "字诀", "个坚持", "线并进", "融合", "大行动", "项机制", "个结合", "字方针", "大工程",
    "个提升", "项工程", "带头", "抓手", "心工程", "个全覆盖", "项制度", "先锋", "有三讲", "型机关",
]


def _regions() -> list[str]:
    """``REGION_COUNT`` region codes taken at even steps through the divisions table: a few
    provinces, many prefectures and counties, as a national library holds."""
    from ..models import Region

    codes = list(Region.objects.order_by("code").values_list("code", flat=True))
    step = max(1, len(codes) // REGION_COUNT)
    return codes[::step][:REGION_COUNT]


def _zipf_weights(n, s=1.0):
    return [1 / (k + 1) ** s for k in range(n)]


def build(*, count: int, seed: int, stdout=None) -> str:
    """Replace the database's articles with the corpus; returns its marker title."""
    rng = random.Random(seed)
    marker = f"{MARKER}（seed={seed}, n={count}）"
    say = (lambda s: stdout.write(s)) if stdout else (lambda s: None)
    started = time.perf_counter()
    from ..search import backend, rebuild_index

    engine = backend()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM articles_tocentry")
            cursor.execute("DELETE FROM articles_taggedtheme")
            cursor.execute("DELETE FROM articles_taggedinitiative")
            cursor.execute("DELETE FROM articles_article")
            engine.clear(cursor)
        Compilation.objects.all().delete()
        Agency.objects.all().delete()
        Initiative.objects.all().delete()

        regions = _regions()
        agencies = Agency.objects.bulk_create(
            Agency(
                name=f"{sector}{'委' if i % 7 == 0 else '局'}", region_id=regions[i // len(SECTORS)],
                level=LEVELS[i % len(LEVELS)], sector=sector,
            )
            for i, sector in ((i, SECTORS[i % len(SECTORS)]) for i in range(len(SECTORS) * len(regions)))
        )
        agencies = list(Agency.objects.order_by("pk"))
        rng.shuffle(agencies)
        agency_weights = _zipf_weights(len(agencies), 0.8)
        themes = list(Theme.objects.order_by("pk"))
        theme_weights = _zipf_weights(len(themes), 0.9)
        names = [n + t for t, n in itertools.product(TAILS, NUMERALS)][:400]
        Initiative.objects.bulk_create(Initiative(name=n, slug=n) for n in names)
        initiatives = list(Initiative.objects.order_by("pk"))
        initiative_weights = _zipf_weights(len(initiatives), 1.0)

        base = timezone.make_aware(datetime.datetime(2019, 1, 1))
        compilations = Compilation.objects.bulk_create(
            Compilation(
                title=marker if n == 0 else f"{MARKER}·模范机关建设材料汇编第{n + 1}辑（{PER_COMPILATION}篇）",
                declared_count=PER_COMPILATION,
                status=Status.DRAFT if n == 7 else Status.PUBLISHED,
                published_at=base + datetime.timedelta(days=n),
            )
            for n in range((count + PER_COMPILATION - 1) // PER_COMPILATION)
        )
        batch = []
        for n, data in enumerate(synthetic.articles(seed, count)):
            article = Article(
                compilation=compilations[n // PER_COMPILATION],
                position=n % PER_COMPILATION + 1,
                agency=rng.choices(agencies, agency_weights)[0] if rng.random() > 0.02 else None,
                year=2015 + rng.randrange(11), members_only=rng.random() < 0.10,
                status=Status.DRAFT if rng.random() < 0.01 else Status.PUBLISHED,
                published_at=base + datetime.timedelta(minutes=n), **data,
            )
            article.refresh_derived()
            batch.append(article)
            if len(batch) == 2000 or n == count - 1:
                _write(batch, rng, themes, theme_weights, initiatives, initiative_weights)
                say(f"\r  articles {n + 1:,}/{count:,}")
                batch = []
        say(f"\n  loaded in {time.perf_counter() - started:.0f} s; indexing…")
        rebuild_index()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    bump_library_version()
    say(f" done in {time.perf_counter() - started:.0f} s\n")
    return marker


def _write(batch, rng, themes, theme_weights, initiatives, initiative_weights):
    Article.objects.bulk_create(batch)
    tagged_themes, tagged_initiatives, toc = [], [], []
    for article in batch:
        for theme in set(rng.choices(themes, theme_weights, k=rng.randint(1, 3))):
            tagged_themes.append(TaggedTheme(content_object=article, tag=theme))
        for initiative in set(rng.choices(initiatives, initiative_weights, k=rng.randint(0, 2))):
            tagged_initiatives.append(TaggedInitiative(content_object=article, tag=initiative))
        toc.append(TocEntry(compilation_id=article.compilation_id, position=article.position,
                            title=article.title, page=article.position * 3, article=article))
    TaggedTheme.objects.bulk_create(tagged_themes)
    TaggedInitiative.objects.bulk_create(tagged_initiatives)
    TocEntry.objects.bulk_create(toc)


def present(*, count: int, seed: int) -> bool:
    """Is this corpus already in the database?"""
    marker = f"{MARKER}（seed={seed}, n={count}）"
    return (
        Compilation.objects.filter(title=marker).exists() and Article.objects.count() == count
    )
