"""Word documents: paragraphs become lines; heading styles and bold lines become hints.

The smallest heading level used after the document's first paragraph marks article titles,
deeper levels and short all-bold paragraphs mark section headings. A .docx without heading
styles is parsed like plain text (blank paragraphs separate blocks).

The body (``word/document.xml``) is read as a stream: each top-level paragraph is handled
when it ends and then dropped, so memory stays bounded whatever the document's size, and the
styles are read once into a map (python-docx looked a paragraph's style up in the styles part
for every paragraph: 4–6 s per MB of XML). What the archive says it will expand to is checked
before anything is expanded, and the expansion is counted as it happens (a zip bomb is
refused with a message, not given the memory it asks for).
"""
import io
import re
import zipfile

from lxml import etree

from .decode import CFB_MAGIC, ZIP_MAGIC, Source
from .errors import ImportRefused
from .lines import HEADING, TITLE, Line, clean_line

_HEADING_STYLE_RE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_TOC_STYLE_RE = re.compile(r"^(?:toc|目录)\s*\d", re.IGNORECASE)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BODY_XML = "word/document.xml"
STYLES_XML = "word/styles.xml"
# What the parts we read may expand to: far above any real compilation (a 20 MB upload of
# text is ~60 MB of XML), far below what would exhaust a worker.
MAX_EXPANDED_BYTES = 150 * 1024 * 1024
_OFF = {"0", "false", "off", "none"}


def _level(style_name: str) -> int | None:
    name = (style_name or "").strip()
    if name.lower() == "title" or name == "标题":
        return 0
    match = _HEADING_STYLE_RE.match(name)
    return int(match.group(1)) if match else None


def _bold(rpr) -> bool | None:
    """The ``w:b`` of a run or style's properties: True, False, or None when unset."""
    if rpr is None:
        return None
    b = rpr.find(W + "b")
    if b is None:
        return None
    return b.get(W + "val", "true").lower() not in _OFF


class _Counted(io.RawIOBase):
    """A member of the archive that refuses to expand past a budget shared by the parts."""

    def __init__(self, stream, budget, name):
        self.stream, self.budget, self.name = stream, budget, name

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        self.budget[0] -= len(data)
        if self.budget[0] < 0:
            raise ImportRefused(self.name, _too_large())
        buffer[:len(data)] = data
        return len(data)


def _too_large() -> str:
    return (f"Word 文档解压后超过 {MAX_EXPANDED_BYTES // (1024 * 1024)} MB，可能已损坏或是压缩炸弹，"
            "未读取；请检查文件，或拆分后分别导入")


def _styles(archive, budget, name) -> tuple[dict, str | None]:
    """{paragraph style id: (name, bold)} and the id of the default paragraph style."""
    if STYLES_XML not in archive.namelist():
        return {}, None
    styles, default = {}, None
    with archive.open(STYLES_XML) as member:
        tree = etree.parse(io.BufferedReader(_Counted(member, budget, name)),
                           etree.XMLParser(resolve_entities=False, no_network=True))
    for style in tree.iter(W + "style"):
        if style.get(W + "type") != "paragraph":
            continue
        style_id = style.get(W + "styleId")
        name_el = style.find(W + "name")
        styles[style_id] = (name_el.get(W + "val", "") if name_el is not None else "",
                            bool(_bold(style.find(W + "rPr"))))
        if style.get(W + "default") in ("1", "true", "on"):
            default = style_id
    return styles, default


def _runs(paragraph):
    """(text, bold) of each run of a paragraph, in order (hyperlinks and insertions too)."""
    for run in paragraph.iter(W + "r"):
        parts = []
        for node in run:
            if node.tag == W + "t":
                parts.append(node.text or "")
            elif node.tag == W + "tab":
                parts.append("\t")
            elif node.tag in (W + "br", W + "cr"):
                parts.append("\n")
        yield "".join(parts), _bold(run.find(W + "rPr"))


def _paragraphs(archive, budget, name):
    """(text, style name, style bold, runs) of each paragraph of the body, in order."""
    styles, default = _styles(archive, budget, name)
    body_tag, paragraph_tag = W + "body", W + "p"
    with archive.open(BODY_XML) as member:
        events = etree.iterparse(
            io.BufferedReader(_Counted(member, budget, name)), events=("end",),
            tag=(paragraph_tag, W + "tbl", W + "sdt", W + "sectPr"),
            resolve_entities=False, no_network=True, huge_tree=True,
        )
        for _event, element in events:
            parent = element.getparent()
            if parent is None or parent.tag != body_tag:
                continue  # inside a table or a text box: left out, as python-docx does
            if element.tag == paragraph_tag:
                style_el = element.find(f"{W}pPr/{W}pStyle")
                style_id = style_el.get(W + "val") if style_el is not None else default
                style_name, style_bold = styles.get(style_id, ("", False))
                runs = list(_runs(element))
                yield "".join(text for text, _b in runs), style_name, style_bold, runs
            # Done with this top-level element and everything before it.
            element.clear()
            while element.getprevious() is not None:
                del parent[0]


def _all_bold(runs, style_bold) -> bool:
    runs = [bold for text, bold in runs if text.strip()]
    return bool(runs) and all(bold or (bold is None and style_bold) for bold in runs)


def docx_lines(source: Source) -> list[Line]:
    """The document's paragraphs as lines with title/heading hints."""
    name, data = source.filename, source.data
    if data.startswith(CFB_MAGIC):
        raise ImportRefused(name, "Word 文档设有密码（已加密）或已损坏，无法读取；请另存为未加密的 .docx")
    if not data.startswith(ZIP_MAGIC):
        raise ImportRefused(name, "不是有效的 .docx 文件")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if BODY_XML not in names:
                raise ImportRefused(name, "压缩包里没有 Word 正文（word/document.xml），不是 .docx 文件")
            if "EncryptionInfo" in names or "EncryptedPackage" in names:
                raise ImportRefused(name, "Word 文档设有密码（已加密），无法读取")
            declared = sum(archive.getinfo(part).file_size
                           for part in (BODY_XML, STYLES_XML) if part in names)
            if declared > MAX_EXPANDED_BYTES:
                raise ImportRefused(name, _too_large())
            budget = [MAX_EXPANDED_BYTES]
            raw = []
            for text, style, style_bold, runs in _paragraphs(archive, budget, name):
                raw.append((text, _level(style), _TOC_STYLE_RE.match(style or "") is not None,
                            _all_bold(runs, style_bold)))
    except ImportRefused:
        raise
    except Exception as exc:  # noqa: BLE001 — zipfile and lxml raise many types on broken files
        raise ImportRefused(name, f"Word 文档已损坏或不完整，无法读取（{type(exc).__name__}）") from None

    # The first non-empty paragraph is the compilation title, whatever its style.
    first = next((i for i, (text, *_rest) in enumerate(raw) if text.strip()), None)
    levels = [level for i, (text, level, toc, _b) in enumerate(raw)
              if i != first and level is not None and text.strip() and not toc]
    title_level = min(levels) if levels else None
    lines = []
    for i, (text, level, toc, bold) in enumerate(raw):
        cleaned = clean_line(text)
        hint = None
        if cleaned and i != first and not toc:
            if title_level is not None and level == title_level:
                hint = TITLE
            elif level is not None or (bold and len(cleaned) <= 60):
                hint = HEADING
        # A paragraph may hold soft line breaks: each becomes its own line.
        parts = cleaned.split("\n") if cleaned else [""]
        for part in parts:
            lines.append(Line(clean_line(part), len(lines) + 1, hint if part.strip() else None))
    return lines
