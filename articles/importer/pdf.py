"""Text-based PDFs: the characters of each page put back in reading order by their position,
lines rebuilt, wrapped lines rejoined into paragraphs, and blank lines where the page leaves
space, so the same structure rules as for .txt and .docx apply.

Read with PDFium (``pypdfium2``): it gives every character with its origin on the page, its
font size and weight. The order of characters in a PDF's content is not the reading order
(word processors write the quote marks of a line after its ideographs), so lines are made by
baseline and sorted left to right. A line running to the right margin continues in the next
line unless that one is indented or the first ends a sentence. Text larger than the body
hints at titles and headings, as styles do in a .docx (``docx``): the largest size after the
compilation title marks article titles, the others headings.

Guarded like a .docx: the compressed streams are measured by streaming decompression before
PDFium opens the file (a stream that expands past the limit is refused without being held in
memory), and the pages and characters are bounded. A PDF without a text layer (a scan) is
refused with a message saying so.
"""
import ctypes
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from .errors import ImportRefused
from .lines import HEADING, TITLE, Line, clean_line

PDF_MAGIC = b"%PDF-"
MAX_EXPANDED_BYTES = 150 * 1024 * 1024  # all streams decompressed, as for a .docx
MAX_PAGES = 5000
MAX_CHARS = 20_000_000
_STREAM_RE = re.compile(rb"stream\r?\n")
_PAGE_NUMBER_RE = re.compile(r"^[-—–·\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[-—–·\s]*$")
_SENTENCE_END = "。！？；…"
_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u2e80-\u2fdf]")


def is_pdf(data: bytes) -> bool:
    return PDF_MAGIC in data[:1024]


def _too_large() -> str:
    return (f"PDF 解压后超过 {MAX_EXPANDED_BYTES // (1024 * 1024)} MB，可能已损坏或是压缩炸弹，"
            "未导入")


def check_expansion(data: bytes, name: str) -> None:
    """Refuse a PDF whose Flate streams expand past ``MAX_EXPANDED_BYTES`` in all, measured by
    decompressing in bounded chunks (nothing kept)."""
    total, limit = 0, MAX_EXPANDED_BYTES
    for match in _STREAM_RE.finditer(data):
        header = data[max(0, match.start() - 400):match.start()]
        if b"/FlateDecode" not in header and b"/Fl " not in header and b"/Fl/" not in header:
            continue
        inflater = zlib.decompressobj()
        chunk = data[match.end():match.end() + 1024 * 1024]
        position = match.end() + len(chunk)
        try:
            while chunk:
                out = inflater.decompress(chunk, 1024 * 1024)
                total += len(out)
                if total > limit:
                    raise ImportRefused(name, _too_large())
                chunk = inflater.unconsumed_tail
                if not chunk and not inflater.eof:
                    chunk = data[position:position + 1024 * 1024]
                    position += len(chunk)
                if inflater.eof:
                    break
        except zlib.error:
            continue  # a broken stream: PDFium reports it, or skips it


@dataclass(slots=True)
class _Char:
    text: str
    x: float
    y: float
    size: float
    bold: bool


@dataclass(slots=True)
class _Row:
    text: str
    left: float
    right: float
    y: float
    size: float
    bold: bool
    page: int


def _page_chars(textpage) -> list[_Char]:
    from pypdfium2 import raw

    count = raw.FPDFText_CountChars(textpage)
    x, y = ctypes.c_double(), ctypes.c_double()
    chars = []
    for i in range(count):
        if raw.FPDFText_IsGenerated(textpage, i):
            continue
        code = raw.FPDFText_GetUnicode(textpage, i)
        if code in (0, 0xFFFE, 0xFFFF) or code in (10, 13):
            continue
        raw.FPDFText_GetCharOrigin(textpage, i, ctypes.byref(x), ctypes.byref(y))
        size = raw.FPDFText_GetFontSize(textpage, i) or 1.0
        weight = raw.FPDFText_GetFontWeight(textpage, i)
        chars.append(_Char(chr(code), x.value, y.value, size, weight >= 600))
    return chars


def _wide(ch: str) -> bool:
    """Ideographs, CJK and general punctuation: no word spaces around them."""
    code = ord(ch)
    return code >= 0x2E80 or 0x2000 <= code <= 0x206F


def _rows(chars: list[_Char], page: int) -> list[_Row]:
    """Characters grouped by baseline (top of the page first), each line left to right."""
    rows, line = [], []
    for char in sorted(chars, key=lambda c: (-c.y, c.x)):
        if line and abs(line[0].y - char.y) > 0.45 * max(line[0].size, char.size):
            rows.append(line)
            line = []
        line.append(char)
    if line:
        rows.append(line)
    out = []
    for line in rows:
        line.sort(key=lambda c: c.x)
        text, previous = [], None
        for char in line:
            if char.text.isspace():
                previous = None if previous is None or _wide(previous.text) else previous
                if previous is not None:
                    text.append(" ")
                continue
            advance = char.x - previous.x if previous is not None else 0
            blank = advance - (previous.size if previous and _wide(previous.text)
                               else previous.size / 2 if previous else 0)
            if previous is not None and (
                    blank > 1.0 * previous.size
                    or char.text.isdigit() and _wide(previous.text) and blank > 0.25 * previous.size):
                text.append("\t")  # a gap: a tab stop, a 目录 line's page number
            elif (previous is not None and not _wide(char.text) and not _wide(previous.text)
                    and text and text[-1] != " " and advance > 0.9 * previous.size):
                text.append(" ")  # a word gap between Latin letters or digits
            text.append(char.text)
            previous = char
        joined = "".join(text).strip()
        if not joined:
            continue
        visible = [c for c in line if not c.text.isspace()]
        sizes = Counter(round(c.size, 1) for c in visible)
        size = sizes.most_common(1)[0][0]
        last = visible[-1]
        out.append(_Row(
            text=joined, left=visible[0].x, page=page,
            right=last.x + (last.size if _wide(last.text) else last.size / 2),
            y=line[0].y, size=size, bold=sum(c.bold for c in visible) * 2 > len(visible),
        ))
    # Page numbers at the top or the bottom of the page are no content.
    while out and _PAGE_NUMBER_RE.match(out[-1].text):
        out.pop()
    while out and _PAGE_NUMBER_RE.match(out[0].text):
        out.pop(0)
    return out


def _read(source) -> list[_Row]:
    import pypdfium2 as pdfium

    name, data = source.filename, source.data
    check_expansion(data, name)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ImportRefused(name, "PDF 设有密码（已加密），无法读取") from None
        raise ImportRefused(name, "PDF 已损坏或不完整，无法读取") from None
    try:
        if len(document) > MAX_PAGES:
            raise ImportRefused(name, f"PDF 超过 {MAX_PAGES} 页，请拆分后再导入")
        rows, total = [], 0
        for number in range(len(document)):
            page = document[number]
            textpage = page.get_textpage()
            try:
                chars = _page_chars(textpage.raw)
            finally:
                textpage.close()
                page.close()
            total += len(chars)
            if total > MAX_CHARS:
                raise ImportRefused(name, "PDF 文字过多，请拆分后再导入")
            rows.extend(_rows(chars, number))
    finally:
        document.close()
    if not any(_HAN_RE.search(row.text) or row.text.isascii() and row.text.strip() for row in rows):
        raise ImportRefused(
            name, "PDF 没有文字层（可能是扫描件或图片），无法导入；请先做文字识别（OCR），或导入 Word/文本文件")
    return rows


def _body(rows):
    """The body's font size, left margin, right margin and line spacing."""
    by_size = Counter()
    for row in rows:
        by_size[row.size] += len(row.text)
    size = by_size.most_common(1)[0][0]
    body = [row for row in rows if row.size == size]
    left = Counter(round(row.left) for row in body).most_common(1)[0][0]
    rights = sorted(row.right for row in body)
    right = rights[int(len(rights) * 0.9)] if rights else left
    gaps = [a.y - b.y for a, b in pairwise(body) if a.page == b.page and a.y > b.y]
    gaps.sort()
    spacing = gaps[len(gaps) // 2] if gaps else size * 1.5
    return size, left, right, spacing


def pdf_lines(source) -> list[Line]:
    """The PDF's text as lines (paragraphs), with blank lines where the page leaves space
    and title/heading hints from the font sizes."""
    rows = _read(source)
    if not rows:
        return []
    size, left, right, spacing = _body(rows)
    # The compilation title: the first row and those after it in its size (a wrapped title).
    first = 1
    while (first < len(rows) and rows[first].size == rows[0].size and rows[first].page == 0
           and rows[first - 1].y - rows[first].y < 2 * rows[0].size * 1.6):
        first += 1
    larger = sorted({row.size for row in rows[first:] if row.size >= size * 1.1}, reverse=True)
    title_size = larger[0] if larger else None

    def hint(row):
        if title_size is not None and row.size == title_size:
            return TITLE
        if row.size in larger or (row.bold and len(row.text) <= 60 and row.size == size):
            return HEADING
        return None

    paragraphs = [("".join(row.text for row in rows[:first]), None, 0)]
    previous = rows[first - 1]
    for row in rows[first:]:
        kind = hint(row)
        last_text, last_kind, _blank = paragraphs[-1]
        same_page = row.page == previous.page
        gap = previous.y - row.y if same_page else spacing
        blank = 2 if gap > 2.8 * spacing else 1 if gap > 1.6 * spacing else 0
        full = previous.right >= right - 1.5 * previous.size
        indented = row.left > left + 0.6 * size
        continues = (
            blank == 0 and kind == last_kind and (
                (kind is None and full and not indented
                 and not last_text.endswith(tuple(_SENTENCE_END)))
                or (kind is not None and full)  # a title or heading wrapped
            )
        )
        if continues:
            joiner = " " if last_text[-1:].isascii() and row.text[:1].isascii() else ""
            paragraphs[-1] = (last_text + joiner + row.text, last_kind, _blank)
        else:
            paragraphs.append((row.text, kind, blank))
        previous = row
    lines = []
    for text, kind, blank in paragraphs:
        for _ in range(blank):
            lines.append(Line("", len(lines) + 1))
        cleaned = clean_line(text)
        lines.append(Line(cleaned, len(lines) + 1, kind if cleaned else None))
    return lines
