"""Writing a parsed compilation: one ``services.Write`` (one transaction, versions, history
with user and reason, search index, library version), under the import lock, idempotent by
checksum.

- Same file again (same SHA-256) → 'unchanged', nothing written (with ``publish``: the
  compilation and its articles are published).
- A corrected version (same compilation title, other checksum) → articles matched by title are
  updated (history reason 重新导入《…》), new ones created, the file's order taken (moved
  articles get a version and a history row), ones no longer in the file kept at the end with a
  warning; an article an editor changed by hand since the last import keeps the editor's
  version unless the editor chose the file's (``hand_edits``, ``take_file``).
- Otherwise a new Compilation. New rows are written in bulk (agencies, initiatives, articles
  with their history rows, tag links, 目录 entries): a fixed number of queries per call,
  whatever its size; ``import_many`` writes the new compilations of many files in one call
  (see BENCHMARKS.md, "Import", for what that buys on SQLite and PostgreSQL).
"""
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .. import library
from ..models import (
    Agency,
    AgencyAlias,
    Article,
    Compilation,
    Initiative,
    Status,
    TaggedInitiative,
    TaggedTheme,
    Theme,
    ThemeKeyword,
    TocEntry,
    agency_label,
)
from ..regions import gazetteer
from ..services import Write, compilations_publish, locked, set_tags
from ..services.articles import article_values, names_of, names_text
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
    published: int = 0  # articles published by this import ("导入后直接发布")

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """One line for a command's output or an admin message."""
        published = f"；发布文章 {self.published} 篇" if self.published else ""
        if self.status == UNCHANGED and not self.created and not self.updated:
            if self.published:
                return (f"未变：《{self.compilation.title}》与已导入的内容相同，内容未改；"
                        f"已发布汇编及其 {self.published} 篇文章")
            return (f"未变：《{self.compilation.title}》与已导入的内容相同，未作改动"
                    f"（{self.unchanged} 篇）")
        verb = "已导入" if self.status == CREATED else "已更新"
        extra = []
        if self.agencies_created:
            extra.append(f"新机关 {len(self.agencies_created)} 个")
        if self.initiatives_created:
            extra.append(f"新举措 {len(self.initiatives_created)} 个")
        tail = f"；{'，'.join(extra)}" if extra else ""
        return (f"{verb}《{self.compilation.title}》：新建 {self.created} 篇，更新 {self.updated} 篇，"
                f"未变 {self.unchanged} 篇{tail}{published}")


@dataclass
class ArticlePreview:
    parsed: ParsedArticle
    state: str
    agency_is_new: bool
    existing_id: int | None = None
    merged_into: str | None = None  # the agency an editor merged the parsed one into
    # (field, as last imported, as the editor left it) for an article an editor changed by
    # hand since the last import; the file's version replaces it only if the editor says so.
    hand_edits: list[tuple[str, str, str]] = field(default_factory=list)

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


FUZZY_RATIO = 0.8  # a corrected title agrees with its old form on at least this much
FUZZY_CANDIDATES = 5  # old titles scored per new one, the ones sharing most bigrams
RARE_BIGRAMS = 6  # the new title's pieces looked up: its rarest among the old titles


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or {key}


def _match_articles(old_articles, parsed_articles, *, needed=None) -> list:
    """For each parsed article, the existing article it corrects, or None.

    Same title (ignoring spaces and punctuation) first; then, for a title that was itself
    corrected, the most similar remaining title if they agree on at least 80 %. Linear in the
    articles: similarity is scored only against the few remaining old titles that share the
    most of the new title's rarest two-character pieces (an inverted index; a title that
    agrees on 80 % keeps most of its pieces, the rare ones among them). ``needed``: the caller
    only asks whether that many match; the search stops once they cannot."""
    by_key: dict[str, list] = {}
    for article in old_articles:
        by_key.setdefault(_key(article.title), []).append(article)
    used, matches = set(), []
    for parsed_article in parsed_articles:
        candidates = [a for a in by_key.get(_key(parsed_article.title), []) if a.pk not in used]
        matches.append(candidates[0] if candidates else None)
        if candidates:
            used.add(candidates[0].pk)
    if all(match is not None for match in matches):
        return matches
    remaining = {a.pk: a for a in old_articles if a.pk not in used}
    keys = {pk: _key(a.title) for pk, a in remaining.items()}
    postings: dict[str, list] = {}
    for article in remaining.values():
        for piece in _bigrams(keys[article.pk]):
            postings.setdefault(piece, []).append(article)
    found = sum(match is not None for match in matches)
    left = len(parsed_articles) - found
    matcher = SequenceMatcher(autojunk=False)
    for n, parsed_article in enumerate(parsed_articles):
        if matches[n] is not None:
            continue
        if needed is not None and found + left < needed:
            break
        left -= 1
        key = _key(parsed_article.title)
        matcher.set_seq2(key)  # its index is built once, for every candidate
        pieces = sorted((p for p in _bigrams(key) if p in postings), key=lambda p: len(postings[p]))
        shared = Counter()
        for piece in pieces[:RARE_BIGRAMS]:
            shared.update(a.pk for a in postings[piece] if a.pk not in used)
        best, best_ratio = None, FUZZY_RATIO
        for pk, _count in shared.most_common(FUZZY_CANDIDATES):
            matcher.set_seq1(keys[pk])
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = pk, ratio
        if best is not None:
            matches[n] = remaining[best]
            used.add(best)
            found += 1
    return matches


IMPORT_REASONS = ("导入", "重新导入")
HAND_EDITABLE = ("title", "original_text", "agency_id", "year", "members_only")
_LABELS = {"title": "标题", "original_text": "原文", "agency_id": "机关", "year": "年份",
           "members_only": "仅会员可读"}


def hand_edits(articles) -> dict[int, list[tuple[str, str, str]]]:
    """{article id: [(field, as last imported, as now)]} for the articles whose content an
    editor changed after their last import (their history's last import row). One query."""
    from django.db.models import Q

    by_id = {a.pk: a for a in articles}
    if not by_id:
        return {}
    imported = {}
    reasons = Q()
    for reason in IMPORT_REASONS:
        reasons |= Q(history_change_reason__startswith=reason)
    for record in (Article.history.filter(reasons, id__in=list(by_id))
                   .only("id", "history_id", *HAND_EDITABLE).order_by("id", "-history_id")):
        imported.setdefault(record.id, record)
    edits = {}
    for pk, record in imported.items():
        changed = [
            (_LABELS[name], *_shown_change(getattr(record, name), getattr(by_id[pk], name)))
            for name in HAND_EDITABLE if getattr(record, name) != getattr(by_id[pk], name)
        ]
        if changed:
            edits[pk] = changed
    return edits


def _shown_change(old, new, context=12, limit=80) -> tuple[str, str]:
    """The two values as an editor compares them: for texts, the part that differs with a
    little context on each side (the common start and end cut)."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return _short(old), _short(new)
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    cut = max(0, start - context)

    def fragment(text):
        piece = text[cut:len(text) - max(0, end - context)]
        return ("…" if cut else "") + _short(piece, limit) + ("…" if end > context else "")
    return fragment(old), fragment(new)


def _short(value, limit=60) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def _find_existing(parsed: ParsedCompilation):
    """(compilation, same file): the compilation this file was imported as (same checksum), or
    the one it corrects — same title and at least half of its articles found there — or None.
    A different compilation that merely shares a generic title is imported as a new one."""
    same = Compilation.objects.filter(checksum=parsed.checksum).order_by("-id").first()
    if same is not None:
        return same, True
    for candidate in Compilation.objects.filter(title=parsed.title).order_by("-id")[:5]:
        # compilation_id too: the related manager reads it on every row it returns, and a
        # deferred column costs one query a row (2,500 at five 500-article candidates).
        old = list(candidate.articles.only("id", "compilation_id", "title"))
        half = (len(parsed.articles) + 1) // 2
        matched = sum(m is not None for m in _match_articles(old, parsed.articles, needed=half))
        if matched >= half:
            return candidate, False
    return None, False


def prepare(parsed: ParsedCompilation, vocabulary=None) -> ParsedCompilation:
    """The database's part of parsing, done once: themes from the vocabulary, agencies'
    regions from the divisions table."""
    if not parsed.vocabulary_applied:
        parsed.apply_vocabulary(theme_vocabulary() if vocabulary is None else vocabulary)
    if not parsed.regions_placed:
        parsed.place_agencies(gazetteer())
    return parsed


def preview_import(parsed: ParsedCompilation, *, progress=None) -> ImportPreview:
    """Compare a parsed file with the database: new vs already there, nothing written.
    ``progress(stage, fraction)``, if given, hears ("compare", 0…1) along the way."""
    progress = progress or (lambda stage, fraction: None)
    progress("compare", 0.0)
    prepare(parsed)
    progress("compare", 0.3)
    existing, same_file = _find_existing(parsed)
    old = (list(existing.articles.only("id", "compilation_id", "checksum", *HAND_EDITABLE))
           if existing is not None else [])
    progress("compare", 0.6)
    matches = _match_articles(old, parsed.articles)
    edited = hand_edits(old)
    progress("compare", 0.9)
    agency_keys = sorted({_key_of(a) for a in parsed.articles if a.agency},
                         key=lambda key: (key[0], key[1] or ""))
    found, aliases = _known_agencies(agency_keys)
    merged_into = {key: str(agency) for key, agency in aliases.items()}
    known_agencies = set(found) | set(aliases)
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
        articles.append(ArticlePreview(
            article, state, bool(article.agency) and _key_of(article) not in known_agencies,
            merged_into=merged_into.get(_key_of(article)),
            existing_id=match.pk if match is not None else None,
            hand_edits=edited.get(match.pk, []) if match is not None and state == UPDATED else [],
        ))
    if existing is None:
        status = CREATED
    elif same_file or all(a.state == UNCHANGED for a in articles):
        status = UNCHANGED
    else:
        status = UPDATED
    return ImportPreview(
        parsed=parsed, status=status, existing=existing, articles=articles,
        agencies=[(agency_label(*key), key not in known_agencies) for key in agency_keys],
        initiatives=[(n, n not in known_initiatives) for n in initiative_names],
        themes=sorted({t for a in parsed.articles for t in a.themes}),
    )


def _key_of(article: ParsedArticle) -> tuple[str, str | None] | None:
    """An agency's identity: its name and region code (``Agency``'s unique pair)."""
    return (article.agency, article.region) if article.agency else None


def _known_agencies(keys) -> tuple[dict, dict]:
    """The agencies of these (name, region) keys: {key: Agency} found under that name, and
    {key: Agency} for names an editor merged into another agency (``AgencyAlias``)."""
    keys = set(keys)
    names = {name for name, _region in keys}
    found = {(a.name, a.region_id): a for a in Agency.objects.filter(name__in=names)
             if (a.name, a.region_id) in keys}
    aliases = {(alias.name, alias.region_id): alias.agency for alias in
               AgencyAlias.objects.filter(name__in=names).select_related("agency")
               if (alias.name, alias.region_id) in keys and (alias.name, alias.region_id) not in found}
    return found, aliases


def _ensure_agencies(write, keys) -> tuple[dict[tuple, Agency], list[tuple]]:
    keys = sorted(set(keys), key=lambda key: (key[0], key[1] or ""))
    if not keys:
        return {}, []
    found, aliases = _known_agencies(keys)
    found.update(aliases)  # names an editor merged into another agency lead to that agency
    missing = [key for key in keys if key not in found]
    rows = write.create([Agency(name=name, level=level_of(name), sector=sector_of(name),
                                region_id=region) for name, region in missing])
    found.update({(a.name, a.region_id): a for a in rows})
    return found, missing


def _ensure_initiatives(write, names) -> tuple[dict[str, Initiative], list[str]]:
    from ..services.articles import ensure_tags

    names = sorted(set(names))
    if not names:
        return {}, []
    known = set(Initiative.objects.filter(name__in=names).values_list("name", flat=True))
    return ensure_tags(write, Initiative, names), [n for n in names if n not in known]


def _themes(names, write=None) -> dict[str, Theme]:
    """The themes of these names; with ``write``, missing ones are created (a theme an editor
    typed in the preview), otherwise only the vocabulary's existing themes count."""
    names = set(names)
    if write is not None and names:
        from ..services.articles import ensure_tags

        return ensure_tags(write, Theme, names)
    return {t.name: t for t in Theme.objects.filter(name__in=names)} if names else {}


def _new_article(compilation, position, parsed: ParsedArticle, agencies, publish, now,
                 initiatives, themes) -> Article:
    article = Article(
        compilation=compilation, position=position, title=parsed.title,
        agency=agencies.get(_key_of(parsed)) if parsed.agency else None,
        original_text=parsed.original_text, sections=parsed.sections, year=parsed.year,
        members_only=parsed.members_only,
        status=Status.PUBLISHED if publish else Status.DRAFT,
        published_at=now if publish else None,
        theme_names=names_text(n for n in parsed.themes if n in themes),
        initiative_names=names_text(n for n in parsed.initiatives if n in initiatives),
    )
    article.refresh_derived()
    return article


def _link_new(write, pairs, initiatives, themes):
    """Tag links of just-created articles, (article, ParsedArticle) pairs, in bulk (their
    names fields were set before the insert)."""
    new_i, new_t = set(), set()
    for article, parsed in pairs:
        new_i.update((article.pk, initiatives[n].pk)
                     for n in parsed.initiatives if n in initiatives)
        new_t.update((article.pk, themes[n].pk) for n in parsed.themes if n in themes)
    write.create_links(TaggedInitiative, sorted(new_i))
    write.create_links(TaggedTheme, sorted(new_t))


@contextmanager
def _import_write(user, reason="导入"):
    """The write of one import: under the import lock, so that two imports of one file at
    once give one compilation (the second waits, then finds the first's)."""
    with Write(user=user, reason=reason) as write:
        library.import_lock()
        yield write


def import_compilation(parsed_or_path, *, publish=False, user=None, filename=None,
                       take_file=()) -> ImportResult:
    """Import a compilation (a ParsedCompilation, a path or bytes) in one transaction.

    An article an editor changed by hand since its last import keeps the editor's version
    unless its id is in ``take_file`` (the preview asks, per article; ``"all"``: every one);
    either way the file's order is taken. Raises ImportRefused (nothing written) when the
    file cannot be parsed."""
    if isinstance(parsed_or_path, ParsedCompilation):
        parsed = prepare(parsed_or_path)
    else:
        parsed = prepare(parse_file(parsed_or_path, filename=filename,
                                    vocabulary=theme_vocabulary()))
    with _import_write(user) as write:
        existing, same_file = _find_existing(parsed)
        if existing is not None and same_file:
            published = 0
            if publish:
                # Not an import reason: this row is no baseline for hand edits (hand_edits).
                write.reason = f"发布《{existing.title}》（导入时勾选）"[:100]
                _changed, published = compilations_publish(
                    compilations=Compilation.objects.filter(pk=existing.pk), write=write)
            return ImportResult(existing, UNCHANGED, unchanged=existing.articles.count(),
                                warnings=list(parsed.warnings), published=published)
        if existing is None:
            return _create_many(write, [parsed], publish=publish)[0]
        write.reason = f"重新导入《{existing.title}》"[:100]
        return _update(write, existing, parsed, publish=publish,
                       take_file=take_file if take_file == "all" else set(take_file))


def _create_many(write, parsed_list, *, publish) -> list[ImportResult]:
    """New compilations with everything they hold: a fixed number of queries per call,
    however many compilations and articles (the bulk path batches many files into one)."""
    now = write.now
    status = Status.PUBLISHED if publish else Status.DRAFT
    compilations = [
        Compilation(
            title=parsed.title, declared_count=parsed.declared_count,
            source_name=parsed.source_name[-255:], checksum=parsed.checksum, status=status,
            published_at=now if publish else None,
        )
        for parsed in parsed_list
    ]
    write.create(compilations)
    every = [a for parsed in parsed_list for a in parsed.articles]
    agencies, new_agencies = _ensure_agencies(write, (_key_of(a) for a in every if a.agency))
    initiatives, new_initiatives = _ensure_initiatives(
        write, (n for a in every for n in a.initiatives))
    themes = _themes((t for a in every for t in a.themes), write)
    per_compilation = [
        [_new_article(compilation, n, a, agencies, publish, now, initiatives, themes)
         for n, a in enumerate(parsed.articles, 1)]
        for compilation, parsed in zip(compilations, parsed_list)
    ]
    objs = [article for articles in per_compilation for article in articles]
    write.create(objs)
    _link_new(write, list(zip(objs, every)), initiatives, themes)
    _write_toc(write, list(zip(compilations, parsed_list, per_compilation)))
    return [
        ImportResult(
            compilation, CREATED, created=len(articles),
            agencies_created=sorted(agency_label(*key) for key in
                                    {_key_of(a) for a in parsed.articles if a.agency}
                                    & set(new_agencies)),
            initiatives_created=sorted({n for a in parsed.articles for n in a.initiatives} & set(new_initiatives)),
            warnings=list(parsed.warnings), changes=[(CREATED, a.title) for a in articles],
            published=len(articles) if publish else 0,
        )
        for compilation, parsed, articles in zip(compilations, parsed_list, per_compilation)
    ]


def _write_toc(write, items):
    """目录 entries for (compilation, parsed, articles in body order) triples, in one query."""
    entries = []
    for compilation, parsed, articles in items:
        by_toc = {p.toc_index: a for a, p in zip(articles, parsed.articles) if p.toc_index is not None}
        entries.extend(
            TocEntry(compilation=compilation, position=t, title=item.title[:300], page=item.page,
                     article=by_toc.get(t - 1))
            for t, item in enumerate(parsed.toc, 1)
        )
    write.create(entries)


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
        return prepare(item, vocabulary)
    if isinstance(item, tuple):
        data, filename = item
        return prepare(parse_file(data, filename=filename, vocabulary=vocabulary))
    return prepare(parse_file(item, vocabulary=vocabulary))


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
        with _import_write(user) as write:
            created = _create_many(write, [parsed[n] for n in fresh], publish=publish)
            for n, result in zip(fresh, created):
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


def _content_values(article, parsed_article, agency, position, now) -> dict | None:
    """What a corrected file changes in a matched article (None: its content is the same)."""
    new_sum = _article_checksum(parsed_article.title, parsed_article.original_text)
    if (new_sum == article.checksum and article.members_only == parsed_article.members_only
            and (agency is None or article.agency_id == agency.pk)):
        return None
    values = {
        "title": parsed_article.title, "original_text": parsed_article.original_text,
        "sections": parsed_article.sections, "members_only": parsed_article.members_only,
        "agency": agency.pk if agency is not None else article.agency_id,
        "year": parsed_article.year or article.year, "position": position,
    }
    return article_values(article, values, now)


def _update(write, compilation, parsed, *, publish, take_file=frozenset()) -> ImportResult:
    """A corrected file over its compilation: matched articles updated, new ones created,
    the order of the file taken (every moved article versioned, with history), ones no
    longer in the file kept at the end with a warning."""
    now = write.now
    compilation = locked(Compilation.objects.filter(pk=compilation.pk))[0]
    old = locked(compilation.articles.all())
    matches = _match_articles(old, parsed.articles)
    edited = hand_edits(old)
    if take_file == "all":
        take_file = set(edited)
    kept_edits = []
    agencies, new_agencies = _ensure_agencies(
        write, (_key_of(a) for a in parsed.articles if a.agency))
    initiatives, new_initiatives = _ensure_initiatives(
        write, (n for a in parsed.articles for n in a.initiatives))
    themes = _themes((t for a in parsed.articles for t in a.themes), write)
    matched = {article.pk for article in matches if article is not None}
    leftovers = sorted((a for a in old if a.pk not in matched), key=lambda a: a.position)
    final = {article.pk: n for n, article in enumerate(matches, 1) if article is not None}
    final.update({a.pk: len(parsed.articles) + n for n, a in enumerate(leftovers, 1)})
    # Free the positions that change first: the new order may swap articles (positions are
    # unique); the final ones are written, versioned, when the write finishes.
    write.move_out_of_the_way(Article.objects.filter(
        pk__in=[a.pk for a in old if a.position != final[a.pk]]))
    created, updated, unchanged, pairs = [], [], [], []
    for position, (parsed_article, article) in enumerate(zip(parsed.articles, matches), 1):
        if article is None:
            article = _new_article(compilation, position, parsed_article, agencies, publish, now,
                                   initiatives, themes)
            created.append(article)
        else:
            agency = agencies.get(_key_of(parsed_article)) if parsed_article.agency else None
            values = _content_values(article, parsed_article, agency, position, now)
            if values is not None and article.pk in edited and article.pk not in take_file:
                kept_edits.append(article)
                values = None
            if values is None:
                write.change(article, {"position": position}, reason="重新排序")
                unchanged.append(article)
            else:
                write.change(article, values)
                updated.append(article)
        pairs.append((article, parsed_article))
    for article in leftovers:
        write.change(article, {"position": final[article.pk]}, reason="重新排序")
    write.create(created)
    warnings = list(parsed.warnings)
    if leftovers:
        warnings.append(f"{len(leftovers)} 篇已有文章不在新文件中，已保留并排在最后："
                        + "、".join(f"《{a.title}》" for a in leftovers))
    if kept_edits:
        warnings.append(f"{len(kept_edits)} 篇文章在上次导入后经人工修改，保留了编辑的版本："
                        + "、".join(f"《{a.title}》" for a in kept_edits))
    new_ids = {id(a) for a in created}
    _link_new(write, [(a, p) for a, p in pairs if id(a) in new_ids], initiatives, themes)
    kept = [(a, p) for a, p in pairs if id(a) not in new_ids]
    for relation, tags, names_field in (("initiatives", initiatives, "initiative_names"),
                                        ("themes", themes, "theme_names")):
        # A corrected file adds its tags; tags an editor added stay.
        set_tags(write, [a for a, _p in kept], relation, {
            a.pk: {*names_of(getattr(a, names_field)),
                   *(n for n in getattr(p, relation) if n in tags)}
            for a, p in kept
        })
    write.delete_rows(compilation.toc_entries.all())
    _write_toc(write, [(compilation, parsed, [a for a, _ in pairs])])
    write.change(compilation, {
        "declared_count": parsed.declared_count, "source_name": parsed.source_name[-255:],
        "checksum": parsed.checksum,
    })
    published = 0
    if publish:
        _changed, published = compilations_publish(
            compilations=Compilation.objects.filter(pk=compilation.pk), write=write)
    nothing_changed = not created and not updated
    return ImportResult(
        compilation, UNCHANGED if nothing_changed else UPDATED, created=len(created),
        updated=len(updated), unchanged=len(unchanged),
        agencies_created=[agency_label(*key) for key in new_agencies],
        initiatives_created=new_initiatives, warnings=warnings,
        changes=_changes(pairs, created, updated), published=published,
    )
