"""Writing a parsed compilation: one transaction, idempotent by checksum, history kept.

- Same file again (same SHA-256) → 'unchanged', nothing written.
- A corrected version (same compilation title, other checksum) → articles matched by title are
  updated through ``save()`` (so django-simple-history records the change), new ones created,
  ones no longer in the file kept at the end with a warning.
- Otherwise a new Compilation. New rows are written in bulk (agencies, initiatives, articles
  with their history rows, tag links, 目录 entries): a fixed number of queries per call,
  whatever its size; ``import_many`` writes the new compilations of many files in one call
  (see BENCHMARKS.md, "Import", for what that buys on SQLite and PostgreSQL).
"""
import hashlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db import connection, transaction
from django.db.models import F
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
    ThemeKeyword,
    TocEntry,
)
from ..search import index_articles
from .agencies import level_of, sector_of
from .errors import ImportRefused
from .parse import ParsedArticle, ParsedCompilation, _key, parse_file

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_STATE_LABELS = {CREATED: "新建", UPDATED: "更新", UNCHANGED: "未变"}


def theme_vocabulary() -> dict[str, str]:
    """The editable keyword → theme vocabulary (admin: 主题关键词)."""
    return dict(ThemeKeyword.objects.values_list("keyword", "theme__name").order_by("keyword"))


@dataclass
class ImportResult:
    """What an import did. ``status`` is created, updated or unchanged (the compilation)."""

    compilation: Compilation
    status: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    agencies_created: list[str] = field(default_factory=list)
    initiatives_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)  # (created/updated, title)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """One line for a command's output or an admin message."""
        if self.status == UNCHANGED and not self.created and not self.updated:
            return (f"unchanged：《{self.compilation.title}》与已导入的内容相同，未作改动"
                    f"（{self.unchanged} 篇）")
        verb = "已导入" if self.status == CREATED else "已更新"
        extra = []
        if self.agencies_created:
            extra.append(f"新机关 {len(self.agencies_created)} 个")
        if self.initiatives_created:
            extra.append(f"新举措 {len(self.initiatives_created)} 个")
        tail = f"；{'，'.join(extra)}" if extra else ""
        return (f"{verb}《{self.compilation.title}》：新建 {self.created} 篇，更新 {self.updated} 篇，"
                f"未变 {self.unchanged} 篇{tail}")


@dataclass
class ArticlePreview:
    parsed: ParsedArticle
    state: str
    agency_is_new: bool

    @property
    def state_label(self) -> str:
        return _STATE_LABELS[self.state]


@dataclass
class ImportPreview:
    """What importing ``parsed`` would do, read from the database without writing."""

    parsed: ParsedCompilation
    status: str
    existing: Compilation | None
    articles: list[ArticlePreview]
    agencies: list[tuple[str, bool]]  # (name, is new)
    initiatives: list[tuple[str, bool]]
    themes: list[str]

    @property
    def status_label(self) -> str:
        return _STATE_LABELS[self.status]


def _article_checksum(title: str, original_text: str) -> str:
    probe = Article(title=title, original_text=original_text)
    probe.refresh_derived()
    return probe.checksum


def _match_articles(old_articles, parsed_articles) -> list:
    """For each parsed article, the existing article it corrects, or None.

    Same title (ignoring spaces and punctuation) first; then, for a title that was itself
    corrected, the most similar remaining title if they agree on at least 80 %."""
    by_key: dict[str, list] = {}
    for article in old_articles:
        by_key.setdefault(_key(article.title), []).append(article)
    used, matches = set(), []
    for parsed_article in parsed_articles:
        candidates = [a for a in by_key.get(_key(parsed_article.title), []) if a.pk not in used]
        matches.append(candidates[0] if candidates else None)
        if candidates:
            used.add(candidates[0].pk)
    for n, parsed_article in enumerate(parsed_articles):
        if matches[n] is not None:
            continue
        key = _key(parsed_article.title)
        scored = [(SequenceMatcher(None, key, _key(a.title)).ratio(), a)
                  for a in old_articles if a.pk not in used]
        if scored:
            ratio, best = max(scored, key=lambda item: item[0])
            if ratio >= 0.8:
                matches[n] = best
                used.add(best.pk)
    return matches


def _find_existing(parsed: ParsedCompilation):
    """(compilation, same file): the compilation this file was imported as (same checksum), or
    the one it corrects — same title and at least half of its articles found there — or None.
    A different compilation that merely shares a generic title is imported as a new one."""
    same = Compilation.objects.filter(checksum=parsed.checksum).order_by("-id").first()
    if same is not None:
        return same, True
    for candidate in Compilation.objects.filter(title=parsed.title).order_by("-id")[:5]:
        old = list(candidate.articles.only("id", "title"))
        matched = sum(m is not None for m in _match_articles(old, parsed.articles))
        if 2 * matched >= len(parsed.articles):
            return candidate, False
    return None, False


def _ensure_vocabulary(parsed: ParsedCompilation):
    if not parsed.vocabulary_applied:
        parsed.apply_vocabulary(theme_vocabulary())


def preview_import(parsed: ParsedCompilation) -> ImportPreview:
    """Compare a parsed file with the database: new vs already there, nothing written."""
    _ensure_vocabulary(parsed)
    existing, same_file = _find_existing(parsed)
    old = list(existing.articles.only("id", "title", "checksum")) if existing is not None else []
    matches = _match_articles(old, parsed.articles)
    agency_names = sorted({a.agency for a in parsed.articles if a.agency})
    known_agencies = set(Agency.objects.filter(name__in=agency_names, region="")
                         .values_list("name", flat=True))
    initiative_names = sorted({n for a in parsed.articles for n in a.initiatives})
    known_initiatives = set(Initiative.objects.filter(name__in=initiative_names)
                            .values_list("name", flat=True))
    articles = []
    for article, match in zip(parsed.articles, matches):
        if match is None:
            state = CREATED
        elif match.checksum == _article_checksum(article.title, article.original_text):
            state = UNCHANGED
        else:
            state = UPDATED
        articles.append(ArticlePreview(article, state, bool(article.agency)
                                       and article.agency not in known_agencies))
    if existing is None:
        status = CREATED
    elif same_file or all(a.state == UNCHANGED for a in articles):
        status = UNCHANGED
    else:
        status = UPDATED
    return ImportPreview(
        parsed=parsed, status=status, existing=existing, articles=articles,
        agencies=[(n, n not in known_agencies) for n in agency_names],
        initiatives=[(n, n not in known_initiatives) for n in initiative_names],
        themes=sorted({t for a in parsed.articles for t in a.themes}),
    )


def _ensure_agencies(names) -> tuple[dict[str, Agency], list[str]]:
    names = sorted(set(names))
    if not names:
        return {}, []
    found = {a.name: a for a in Agency.objects.filter(name__in=names, region="")}
    missing = [n for n in names if n not in found]
    if missing:
        Agency.objects.bulk_create(
            [Agency(name=n, level=level_of(n), sector=sector_of(n), region="") for n in missing],
            ignore_conflicts=True,
        )
        found.update({a.name: a for a in Agency.objects.filter(name__in=missing, region="")})
    return found, missing


def _ensure_initiatives(names) -> tuple[dict[str, Initiative], list[str]]:
    names = sorted(set(names))
    if not names:
        return {}, []
    found = {t.name: t for t in Initiative.objects.filter(name__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        probe = Initiative()
        rows = [Initiative(name=n, slug=probe.slugify(n)[:100] or hashlib.md5(n.encode()).hexdigest())
                for n in missing]
        Initiative.objects.bulk_create(rows, ignore_conflicts=True)
        found.update({t.name: t for t in Initiative.objects.filter(name__in=missing)})
        for name in missing:
            if name not in found:  # slug taken by another name: let taggit find a free one
                found[name] = Initiative.objects.create(name=name)
    return found, missing


def _themes(names) -> dict[str, Theme]:
    names = set(names)
    return {t.name: t for t in Theme.objects.filter(name__in=names)} if names else {}


def _new_article(compilation, position, parsed: ParsedArticle, agencies, publish, now) -> Article:
    article = Article(
        compilation=compilation, position=position, title=parsed.title,
        agency=agencies.get(parsed.agency) if parsed.agency else None,
        original_text=parsed.original_text, sections=parsed.sections, year=parsed.year,
        members_only=parsed.members_only,
        status=Status.PUBLISHED if publish else Status.DRAFT,
        published_at=now if publish else None,
    )
    article.refresh_derived()
    return article


def _link_tags(pairs, initiatives, themes, *, fresh=False):
    """Bulk-create tag links for (article, ParsedArticle) pairs, skipping existing links
    (``fresh``: the articles were just created and have none)."""
    article_ids = [article.pk for article, _ in pairs] if not fresh else []
    have_i = set(TaggedInitiative.objects.filter(content_object_id__in=article_ids)
                 .values_list("content_object_id", "tag_id")) if article_ids else set()
    have_t = set(TaggedTheme.objects.filter(content_object_id__in=article_ids)
                 .values_list("content_object_id", "tag_id")) if article_ids else set()
    new_i, new_t = [], []
    for article, parsed in pairs:
        for name in parsed.initiatives:
            tag = initiatives.get(name)
            if tag and (article.pk, tag.pk) not in have_i:
                have_i.add((article.pk, tag.pk))
                new_i.append((article.pk, tag.pk))
        for name in parsed.themes:
            tag = themes.get(name)
            if tag and (article.pk, tag.pk) not in have_t:
                have_t.add((article.pk, tag.pk))
                new_t.append((article.pk, tag.pk))
    _insert_pairs(TaggedInitiative, new_i)
    _insert_pairs(TaggedTheme, new_t)


def _insert_pairs(model, rows):
    """Insert (content_object_id, tag_id) link rows with one executemany: thousands of tiny
    rows per batch, where building model instances would cost more than the insert."""
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(meta.db_table)} ({qn(meta.get_field('content_object').column)}, "
           f"{qn(meta.get_field('tag').column)}) VALUES (%s, %s)")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _index_for_search(article_ids):
    """Tell the rest of the site about bulk-created articles, which send no signals: make
    them searchable (SQLite's FTS triggers already did; PostgreSQL needs ``index_articles``)
    and invalidate the cached facet counts."""
    if not article_ids:
        return
    bump_library_version()
    if connection.vendor != "sqlite":
        index_articles(article_ids)


def import_compilation(parsed_or_path, *, publish=False, user=None, filename=None) -> ImportResult:
    """Import a compilation (a ParsedCompilation, a path or bytes) in one transaction.

    Raises ImportRefused (nothing written) when the file cannot be parsed."""
    if isinstance(parsed_or_path, ParsedCompilation):
        parsed = parsed_or_path
        _ensure_vocabulary(parsed)
    else:
        parsed = parse_file(parsed_or_path, filename=filename, vocabulary=theme_vocabulary())
    with transaction.atomic():
        existing, same_file = _find_existing(parsed)
        if existing is not None and same_file:
            return ImportResult(existing, UNCHANGED, unchanged=existing.articles.count(),
                                warnings=list(parsed.warnings))
        if existing is None:
            return _create(parsed, publish=publish, user=user)
        return _update(existing, parsed, publish=publish, user=user)


def _create(parsed, *, publish, user) -> ImportResult:
    return _create_many([parsed], publish=publish, user=user)[0]


def _create_many(parsed_list, *, publish, user) -> list[ImportResult]:
    """New compilations with everything they hold: a fixed number of queries per call,
    however many compilations and articles (the bulk path batches many files into one)."""
    now = timezone.now()
    status = Status.PUBLISHED if publish else Status.DRAFT
    compilations = [
        Compilation(
            title=parsed.title, declared_count=parsed.declared_count,
            source_name=parsed.source_name[-255:], checksum=parsed.checksum, status=status,
            published_at=now if publish else None,
        )
        for parsed in parsed_list
    ]
    Compilation.objects.bulk_create(compilations)
    Compilation.history.bulk_history_create(compilations, default_user=user,
                                            default_change_reason="导入")
    every = [a for parsed in parsed_list for a in parsed.articles]
    agencies, new_agencies = _ensure_agencies(a.agency for a in every if a.agency)
    initiatives, new_initiatives = _ensure_initiatives(n for a in every for n in a.initiatives)
    themes = _themes(t for a in every for t in a.themes)
    per_compilation = [
        [_new_article(compilation, n, a, agencies, publish, now) for n, a in enumerate(parsed.articles, 1)]
        for compilation, parsed in zip(compilations, parsed_list)
    ]
    objs = [article for articles in per_compilation for article in articles]
    Article.objects.bulk_create(objs, batch_size=500)
    Article.history.bulk_history_create(objs, batch_size=500, default_user=user,
                                        default_change_reason="导入")
    _link_tags(list(zip(objs, every)), initiatives, themes, fresh=True)
    _write_toc(list(zip(compilations, parsed_list, per_compilation)))
    _index_for_search([a.pk for a in objs])
    return [
        ImportResult(
            compilation, CREATED, created=len(articles),
            agencies_created=sorted({a.agency for a in parsed.articles if a.agency} & set(new_agencies)),
            initiatives_created=sorted({n for a in parsed.articles for n in a.initiatives} & set(new_initiatives)),
            warnings=list(parsed.warnings), changes=[(CREATED, a.title) for a in articles],
        )
        for compilation, parsed, articles in zip(compilations, parsed_list, per_compilation)
    ]


def _write_toc(items):
    """目录 entries for (compilation, parsed, articles in body order) triples, in one query."""
    entries = []
    for compilation, parsed, articles in items:
        by_toc = {p.toc_index: a for a, p in zip(articles, parsed.articles) if p.toc_index is not None}
        entries.extend(
            TocEntry(compilation=compilation, position=t, title=item.title[:300], page=item.page,
                     article=by_toc.get(t - 1))
            for t, item in enumerate(parsed.toc, 1)
        )
    TocEntry.objects.bulk_create(entries, batch_size=500)


def import_many(items, *, publish=False, user=None, batch_size=50):
    """Bulk import: ``items`` are paths, (bytes, filename) pairs or ParsedCompilations.

    Returns one ImportResult or ImportRefused per item, in order. New compilations of a batch
    are written together in one transaction (all of a batch's files or none); if that fails,
    each file of the batch is retried in its own transaction, so no file is ever half-written.
    Files that update an existing compilation, or repeat one in the same batch, go one by one.
    """
    vocabulary = theme_vocabulary()
    results = []
    items = list(items)
    for start in range(0, len(items), batch_size):
        results.extend(_import_batch(items[start:start + batch_size], vocabulary, publish, user))
    return results


def _parse_item(item, vocabulary):
    if isinstance(item, ParsedCompilation):
        if not item.vocabulary_applied:
            item.apply_vocabulary(vocabulary)
        return item
    if isinstance(item, tuple):
        data, filename = item
        return parse_file(data, filename=filename, vocabulary=vocabulary)
    return parse_file(item, vocabulary=vocabulary)


def _import_batch(items, vocabulary, publish, user):
    results: list = [None] * len(items)
    parsed: dict[int, ParsedCompilation] = {}
    for n, item in enumerate(items):
        try:
            parsed[n] = _parse_item(item, vocabulary)
        except ImportRefused as refusal:
            results[n] = refusal
    known_sums = set(Compilation.objects.filter(
        checksum__in=[p.checksum for p in parsed.values()]).values_list("checksum", flat=True))
    known_titles = set(Compilation.objects.filter(
        title__in=[p.title for p in parsed.values()]).values_list("title", flat=True))
    fresh, seen, one_by_one = [], set(), []
    for n, p in parsed.items():
        if p.checksum in known_sums or p.title in known_titles or p.title in seen:
            one_by_one.append(n)
        else:
            seen.add(p.title)
            fresh.append(n)
    try:
        with transaction.atomic():
            for n, result in zip(fresh, _create_many([parsed[n] for n in fresh], publish=publish, user=user)):
                results[n] = result
    except Exception:  # noqa: BLE001 — the batch is rolled back whole; retry its files one transaction each
        one_by_one = sorted(one_by_one + fresh)
    for n in one_by_one:
        results[n] = import_compilation(parsed[n], publish=publish, user=user)
    return results


def _changes(pairs, created, updated) -> list[tuple[str, str]]:
    """(state, title) of the created and updated articles, in body order."""
    state = {id(a): CREATED for a in created} | {id(a): UPDATED for a in updated}
    return [(state[id(a)], a.title) for a, _ in pairs if id(a) in state]


def _update(compilation, parsed, *, publish, user) -> ImportResult:
    now = timezone.now()
    old = list(compilation.articles.select_related("agency"))
    matches = _match_articles(old, parsed.articles)
    agencies, new_agencies = _ensure_agencies(a.agency for a in parsed.articles if a.agency)
    initiatives, new_initiatives = _ensure_initiatives(n for a in parsed.articles for n in a.initiatives)
    themes = _themes(t for a in parsed.articles for t in a.themes)
    # Free the positions first: the new order may swap articles (positions are unique).
    compilation.articles.update(position=F("position") + 100000)
    created, updated, unchanged, pairs, matched = [], [], [], [], set()
    for position, (parsed_article, article) in enumerate(zip(parsed.articles, matches), 1):
        if article is None:
            article = _new_article(compilation, position, parsed_article, agencies, publish, now)
            created.append(article)
        else:
            matched.add(article.pk)
            agency = agencies.get(parsed_article.agency) if parsed_article.agency else None
            new_sum = _article_checksum(parsed_article.title, parsed_article.original_text)
            if (new_sum != article.checksum or article.members_only != parsed_article.members_only
                    or (agency is not None and article.agency_id != agency.pk)):
                article.title = parsed_article.title
                article.original_text = parsed_article.original_text
                article.sections = parsed_article.sections
                article.members_only = parsed_article.members_only
                article.agency = agency or article.agency
                article.year = parsed_article.year or article.year
                article.position = position
                if publish:
                    article.status = Status.PUBLISHED
                if user is not None:
                    article._history_user = user
                article._change_reason = "导入新版本"
                article.save()
                updated.append(article)
            else:
                changes = {"position": position}
                if publish and article.status != Status.PUBLISHED:
                    changes.update(status=Status.PUBLISHED, published_at=article.published_at or now)
                Article.objects.filter(pk=article.pk).update(**changes)
                unchanged.append(article)
        pairs.append((article, parsed_article))
    Article.objects.bulk_create(created)
    Article.history.bulk_history_create(created, default_user=user, default_change_reason="导入")
    leftovers = [a for a in old if a.pk not in matched]
    for offset, article in enumerate(sorted(leftovers, key=lambda a: a.position), 1):
        Article.objects.filter(pk=article.pk).update(position=len(parsed.articles) + offset)
    warnings = list(parsed.warnings)
    if leftovers:
        warnings.append(f"{len(leftovers)} 篇已有文章不在新文件中，已保留并排在最后："
                        + "、".join(f"《{a.title}》" for a in leftovers))
    _link_tags(pairs, initiatives, themes)
    compilation.toc_entries.all().delete()
    _write_toc([(compilation, parsed, [a for a, _ in pairs])])
    compilation.declared_count = parsed.declared_count
    compilation.source_name = parsed.source_name[-255:]
    compilation.checksum = parsed.checksum
    if publish:
        compilation.status = Status.PUBLISHED
    nothing_changed = not created and not updated
    if nothing_changed and not publish:
        Compilation.objects.filter(pk=compilation.pk).update(
            checksum=parsed.checksum, source_name=compilation.source_name)
    else:
        if user is not None:
            compilation._history_user = user
        compilation.save()
    _index_for_search([a.pk for a in created + updated])
    return ImportResult(
        compilation, UNCHANGED if nothing_changed else UPDATED, created=len(created),
        updated=len(updated), unchanged=len(unchanged), agencies_created=new_agencies,
        initiatives_created=new_initiatives, warnings=warnings,
        changes=_changes(pairs, created, updated),
    )
