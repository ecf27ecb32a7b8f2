"""The whole file parsed before anything is written: title, declared count, 目录, articles.

Steps: decode (decode.py / docx.py) → drop advertising, note paid markers (boilerplate.py) →
title line and （N篇） → 目录 entries (title, tab or dot leaders, page) → article boundaries
(a title line followed by a blank line, cross-checked with the 目录) → per article: sections,
agency, initiatives, themes. Every disagreement becomes a warning with line numbers; only input
that cannot be imported at all raises ImportRefused.
"""
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from ..text import fold_radicals
from .agencies import find_agency, level_of, sector_of
from .boilerplate import PAID_BEGIN, PAID_END, is_advertising, marker
from .decode import CFB_MAGIC, Source, decode_text, read_source
from .doc import doc_lines, is_doc
from .docx import docx_lines
from .errors import ImportRefused
from .lines import HEADING, TITLE, Line, text_lines
from .pdf import is_pdf, pdf_lines
from .sections import ends_open, is_byline, is_numbered, sections_from_lines
from .tags import body_suggestions, match_themes, title_initiatives

MAX_TITLE = 120
MAX_ARTICLE_TITLE = 80
_COUNT_RE = re.compile(r"\s*[（(]\s*共?\s*(\d{1,5})\s*篇\s*[）)]\s*$")
_TOC_ENTRY_RE = re.compile(
    r"^(?P<title>.*?\S)\s*(?:\t+|[.．·…。_—\-]{2,}|\s+)\s*(?P<page>\d{1,5})$"
)
_KEY_DROP_RE = re.compile(r"[\s\W_]+")
_YEAR_RE = re.compile(r"(20[0-4]\d)年")


def _key(text: str) -> str:
    """A comparison key for titles: no spaces, quotes or punctuation."""
    return _KEY_DROP_RE.sub("", text)


def _same_title(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    return len(short) >= 10 and long.startswith(short)


@dataclass
class TocItem:
    title: str
    page: int | None
    line: int


@dataclass
class ParsedArticle:
    title: str
    original_text: str
    sections: list[dict]
    members_only: bool
    line: int
    agency: str | None = None
    region: str | None = None  # the agency's region code (``place_agencies``)
    opening: str = ""  # the first sentence, where a place is often named
    initiatives: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    year: int | None = None
    toc_index: int | None = None  # position in the 目录, when listed there

    @cached_property
    def suggested_initiatives(self) -> list[str]:
        """Further numbered slogans of the body, for the editor (computed when shown)."""
        return body_suggestions(self.original_text, exclude=self.initiatives)

    @property
    def agency_level(self) -> str:
        return level_of(self.agency) if self.agency else ""

    @property
    def agency_sector(self) -> str:
        return sector_of(self.agency) if self.agency else ""

    @property
    def headings(self) -> list[str]:
        return [s["heading"] for s in self.sections if s["heading"]]

    @property
    def chars(self) -> int:
        return sum(1 for ch in self.original_text if not ch.isspace())

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "agency": self.agency,
            "region": self.region,
            "initiatives": list(self.initiatives),
            "themes": list(self.themes),
            "headings": self.headings,
            "members_only": self.members_only,
            "chars": self.chars,
        }


@dataclass
class ParsedCompilation:
    """Everything the file holds, ready to preview or to load; no database involved."""

    title: str
    declared_count: int | None
    toc: list[TocItem]
    articles: list[ParsedArticle]
    warnings: list[str]
    source_name: str
    checksum: str
    dropped_lines: int = 0
    # (line number, what the editor should know about that line): the advertising removed,
    # titles without text, 目录 entries and articles that do not match; the preview shows
    # each beside the article it falls in.
    notes: list[tuple[int, str]] = field(default_factory=list)
    vocabulary_applied: bool = False
    regions_placed: bool = False

    def apply_vocabulary(self, vocabulary: dict[str, str]) -> None:
        """(Re)compute every article's themes from a keyword → theme vocabulary."""
        taken = set(vocabulary) | set(vocabulary.values())
        for article in self.articles:
            article.themes = match_themes(article.title, article.original_text, vocabulary)
            # A quoted theme (打造“清廉机关”品牌) is the theme, not an initiative as well.
            article.initiatives = [n for n in article.initiatives if n not in taken]
        self.vocabulary_applied = True

    def place_agencies(self, gazetteer) -> None:
        """Every article's agency region: named in the agency's name, or else a place of
        the agency's level named by the article's first sentence, its title or the
        compilation's title (``regions.Gazetteer.agency_place``); None when nothing says."""
        for article in self.articles:
            if not article.agency:
                article.region = None
                continue
            place = gazetteer.agency_place(
                article.agency, level_of(article.agency), article.opening, article.title,
                self.title,
            )
            article.region = place.code if place else None
        self.regions_placed = True

    def as_json(self) -> dict:
        """The documented JSON shape of ``import_compilation --json``."""
        return {
            "title": self.title,
            "declared_count": self.declared_count,
            "toc": [{"title": item.title, "page": item.page} for item in self.toc],
            "articles": [article.as_json() for article in self.articles],
            "warnings": list(self.warnings),
        }


def _lines_of(source: Source) -> list[Line]:
    """The file's lines by its format (PDF, .doc, .docx or text), radicals folded."""
    if is_pdf(source.data):
        lines = pdf_lines(source)
    elif is_doc(source.data):
        lines = doc_lines(source)
    elif source.is_docx or source.data.startswith(CFB_MAGIC):  # CFB: an encrypted .docx
        lines = docx_lines(source)
    else:
        lines = text_lines(decode_text(source))
    for line in lines:
        line.text = fold_radicals(line.text)
    return lines


def _strip_boilerplate(lines: list[Line]) -> tuple[list[Line], list[Line], list[tuple[int, str]]]:
    """Lines without advertising (and the advertising lines dropped); paid markers stay (as
    blank-like lines carrying the marker)."""
    kept, dropped, markers = [], [], []
    for line in lines:
        found = marker(line.text)
        if found:
            markers.append((line.number, found))
            kept.append(Line("", line.number, found))
        elif is_advertising(line.text):
            dropped.append(line)
            kept.append(Line("", line.number))
        else:
            kept.append(line)
    return kept, dropped, markers


def _parse_title(lines, i, name):
    while i < len(lines) and lines[i].blank:
        i += 1
    if i >= len(lines):
        raise ImportRefused(name, "没有可识别的标题或文章")
    line = lines[i]
    if len(line.text) > MAX_TITLE or not re.search(r"[\u4e00-\u9fff]", line.text):
        raise ImportRefused(name, f"第 {line.number} 行不像汇编标题，找不到可识别的标题")
    title, count = line.text, None
    match = _COUNT_RE.search(title)
    if match:
        count = int(match.group(1))
        title = title[: match.start()].strip() or title
    return title, count, line.text, i + 1


def _parse_toc(lines, i, title_line):
    """TOC entries after a 目录 line (or directly page-numbered lines); returns (items, next)."""
    j = i
    while j < len(lines) and lines[j].blank:
        j += 1
    has_header = j < len(lines) and _key(lines[j].text) == "目录"
    if has_header:
        j += 1
    items: list[TocItem] = []
    end = j if has_header else i
    while j < len(lines):
        line = lines[j]
        if line.blank:
            j += 1
            continue
        match = _TOC_ENTRY_RE.match(line.text)
        if not match:
            break
        entry = match.group("title").strip()
        if _key(entry) not in {_key(title_line), _key(title_line.rsplit("（", 1)[0]), "目录"}:
            items.append(TocItem(entry, int(match.group("page")), line.number))
        j += 1
        end = j
    if has_header and not items:
        # A 目录 without page numbers: consecutive short lines up to the first blank one, and
        # only if they come back later as titles (else they are the first article itself).
        j = end
        while j < len(lines) and lines[j].blank:
            j += 1
        candidates = []
        while j < len(lines) and not lines[j].blank and len(lines[j].text) <= MAX_ARTICLE_TITLE:
            if _key(lines[j].text) not in {_key(title_line), "目录"}:
                candidates.append(TocItem(lines[j].text, None, lines[j].number))
            j += 1
        later = {_key(line.text) for line in lines[j:] if not line.blank}
        if candidates and 2 * sum(_key(item.title) in later for item in candidates) >= len(candidates):
            items, end = candidates, j
    return items, end


@dataclass
class _Block:
    lines: list[Line]
    gap: int  # blank lines before it; large at the start of the body


def _blocks(lines: list[Line]) -> list[_Block]:
    blocks, current, gap = [], [], 99
    for line in lines:
        if line.blank:
            if current:
                blocks.append(_Block(current, gap))
                current, gap = [], 0
            gap += 1
        else:
            current.append(line)
    if current:
        blocks.append(_Block(current, gap))
    return blocks


def _title_like(text: str) -> bool:
    return (
        2 <= len(text) <= MAX_ARTICLE_TITLE
        and ends_open(text)
        and not is_numbered(text)
        and not is_byline(text)
        and bool(re.search(r"[\u4e00-\u9fff]", text))
    )


def _find_titles(body: list[Line], toc: list[TocItem]) -> list[int]:
    """Indexes (into body) of article title lines."""
    if any(line.hint == TITLE for line in body):
        return [k for k, line in enumerate(body) if line.hint == TITLE]
    index = {id(line): k for k, line in enumerate(body)}
    blocks = _blocks(body)
    titles: set[int] = set()
    toc_keys = {_key(item.title) for item in toc}
    # Pass 1: blocks opening with a 目录 title are articles, whatever follows.
    for b, block in enumerate(blocks):
        first = block.lines[0]
        if not toc or not _title_like(first.text):
            continue
        listed = _key(first.text) in toc_keys or any(
            _same_title(first.text, item.title) for item in toc)
        if listed and (len(block.lines) > 1 or b + 1 < len(blocks)):
            titles.add(index[id(first)])
    matched_gaps = [blocks[b].gap for b in range(len(blocks))
                    if index[id(blocks[b].lines[0])] in titles]
    has_wide_gaps = any(block.gap >= 2 for block in blocks[1:])
    min_gap = min(matched_gaps + [2 if has_wide_gaps else 1])
    # Pass 2: single-line, title-like blocks followed by more text, separated as wide as the rest.
    for b, block in enumerate(blocks):
        first = block.lines[0]
        k = index[id(first)]
        if k in titles or len(block.lines) != 1 or b + 1 >= len(blocks):
            continue
        if not _title_like(first.text) or block.gap < min_gap:
            continue
        nxt = blocks[b + 1]
        if len(nxt.lines) == 1 and _title_like(nxt.lines[0].text) and nxt.gap >= min_gap:
            continue  # two title-like lines in a row: the first is no article
        titles.add(k)
    return sorted(titles)


def _year(text: str) -> int | None:
    years = Counter(int(y) for y in _YEAR_RE.findall(text))
    if not years:
        return None
    return max(years.items(), key=lambda item: (item[1], item[0]))[0]


def _build_article(title_line: Line, body_lines: list[Line], paid: bool, vocabulary) -> ParsedArticle:
    texts = [line.text for line in body_lines]
    hints = [line.hint for line in body_lines]
    sections = sections_from_lines(texts, hints if any(h == HEADING for h in hints) else None)
    original = "\n".join(texts)
    opening = next((p for s in sections for p in s["paragraphs"]), "")
    initiatives = title_initiatives(title_line.text)
    return ParsedArticle(
        title=title_line.text,
        original_text=original,
        sections=sections,
        members_only=paid,
        line=title_line.number,
        agency=find_agency(title_line.text, opening),
        opening=opening.split("。", 1)[0][:200],
        initiatives=initiatives,
        themes=match_themes(title_line.text, original, vocabulary or {}),
        year=_year(original),
    )


def _no_progress(stage: str, fraction: float) -> None:
    pass


PROGRESS_EVERY = 200  # articles between two progress reports: a report may cost a query


def parse_file(path_or_bytes, *, filename: str | None = None, vocabulary=None,
               progress=None) -> ParsedCompilation:
    """Parse a compilation (.txt in any supported encoding, or .docx) without touching the
    database. ``vocabulary`` (keyword → theme) enables theme suggestions. ``progress``, if
    given, is called as ``progress(stage, fraction)``: ("read", 0) before the file is
    decoded, then ("parse", 0…1) every ``PROGRESS_EVERY`` articles.

    Raises ImportRefused with one Chinese line naming the file and the problem."""
    progress = progress or _no_progress
    progress("read", 0.0)
    source = read_source(path_or_bytes, filename)
    name = source.filename
    lines, dropped_lines, _markers = _strip_boilerplate(_lines_of(source))
    progress("parse", 0.0)
    dropped = len(dropped_lines)
    notes = [(line.number, f"已删除广告或联系方式：{line.text[:120]}") for line in dropped_lines]
    if not any(not line.blank for line in lines):
        raise ImportRefused(name, "文件是空的" if not dropped else "文件里只有广告，没有正文")
    warnings: list[str] = []

    title, declared, title_line, i = _parse_title(lines, 0, name)
    title_line_number = lines[i - 1].number
    toc, i = _parse_toc(lines, i, title_line)
    body = lines[i:]
    title_indexes = _find_titles(body, toc)
    if not title_indexes:
        raise ImportRefused(name, "找不到可识别的文章（应为：标题一行、空一行、正文）")

    # Paid state of every body line, from the markers seen so far (the TOC may open it).
    paid = False
    for line in lines[:i]:
        if line.hint == PAID_BEGIN:
            paid = True
        elif line.hint == PAID_END:
            paid = False
    paid_at = []
    for line in body:
        if line.hint == PAID_BEGIN:
            paid = True
        elif line.hint == PAID_END:
            paid = False
        paid_at.append(paid)

    leading = [line for line in body[: title_indexes[0]] if not line.blank]
    if leading:
        warnings.append(
            f"第 {leading[0].number}–{leading[-1].number} 行在第一篇文章之前，不属于任何文章，已忽略"
        )
    articles: list[ParsedArticle] = []
    bounds = title_indexes + [len(body)]
    for n, start in enumerate(title_indexes):
        if n and not n % PROGRESS_EVERY:
            progress("parse", n / len(title_indexes))
        span = range(start + 1, bounds[n + 1])
        content = [body[k] for k in span if not body[k].blank]
        title_line = body[start]
        if not content:
            warnings.append(f"第 {title_line.number} 行的《{title_line.text}》没有正文，已跳过")
            notes.append((title_line.number, f"《{title_line.text}》没有正文，已跳过"))
            continue
        members = paid_at[start] or any(paid_at[k] for k in span if not body[k].blank)
        articles.append(_build_article(title_line, content, members, vocabulary))
    if not articles:
        raise ImportRefused(name, "找不到带正文的文章")

    _check_toc(toc, articles, warnings, notes)
    if declared is not None and declared != len(articles):
        warnings.append(f"标题声明 {declared} 篇，正文实有 {len(articles)} 篇")
        notes.append((title_line_number, f"标题声明 {declared} 篇，正文实有 {len(articles)} 篇"))
    if dropped:
        warnings.append(f"已删除 {dropped} 行广告或联系方式（不属于正文）")
    for article in articles:
        if len(article.title) > 300:
            raise ImportRefused(name, f"第 {article.line} 行的文章标题超过 300 字")
    return ParsedCompilation(
        title=title[:300], declared_count=declared, toc=toc, articles=articles,
        warnings=warnings, source_name=name, checksum=source.checksum, dropped_lines=dropped,
        notes=sorted(notes),
        vocabulary_applied=vocabulary is not None,
    )


def _some(names, limit: int = 10) -> str:
    """Up to ``limit`` names joined with 、, and how many more (a warning stays one line)."""
    names = list(names)
    shown = "、".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} 等 {len(names)} 篇"


def _check_toc(toc: list[TocItem], articles: list[ParsedArticle], warnings: list[str],
               notes: list[tuple[int, str]]):
    if not toc:
        return
    used = set()
    by_key: dict[str, list[int]] = {}
    for t, item in enumerate(toc):
        by_key.setdefault(_key(item.title), []).append(t)
    for article in articles:  # exact matches first: linear, even for thousands of entries
        free = [t for t in by_key.get(_key(article.title), []) if t not in used]
        if free:
            article.toc_index = free[0]
            used.add(free[0])
    for article in articles:  # then the fuzzy ones (a title cut short in the 目录)
        if article.toc_index is not None:
            continue
        for t, item in enumerate(toc):
            if t not in used and _same_title(article.title, item.title):
                article.toc_index = t
                used.add(t)
                break
    missing_in_toc = [a for a in articles if a.toc_index is None]
    missing_in_body = [item for t, item in enumerate(toc) if t not in used]
    if not missing_in_toc and not missing_in_body:
        return
    notes.extend((a.line, "这篇不在目录中") for a in missing_in_toc)
    notes.extend((item.line, f"目录中的《{item.title}》在正文中找不到") for item in missing_in_body)
    parts = [f"目录列出 {len(toc)} 篇，正文有 {len(articles)} 篇"]
    if missing_in_toc:
        parts.append("目录中没有：" + _some(f"《{a.title}》（第 {a.line} 行）" for a in missing_in_toc))
    if missing_in_body:
        parts.append("正文中没有：" + _some(f"《{item.title}》（第 {item.line} 行）" for item in missing_in_body))
        parts.append("按正文导入")
    warnings.append("；".join(parts))
