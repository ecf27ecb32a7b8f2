"""Word documents: paragraphs become lines; heading styles and bold lines become hints.

The smallest heading level used after the document's first paragraph marks article titles,
deeper levels and short all-bold paragraphs mark section headings. A .docx without heading
styles is parsed like plain text (blank paragraphs separate blocks).
"""
import io
import re
import zipfile

from .decode import CFB_MAGIC, ZIP_MAGIC, Source
from .errors import ImportRefused
from .lines import HEADING, TITLE, Line, clean_line

_HEADING_STYLE_RE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_TOC_STYLE_RE = re.compile(r"^(?:toc|目录)\s*\d", re.IGNORECASE)


def _level(style_name: str) -> int | None:
    name = (style_name or "").strip()
    if name.lower() == "title" or name == "标题":
        return 0
    match = _HEADING_STYLE_RE.match(name)
    return int(match.group(1)) if match else None


def _all_bold(paragraph) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs:
        return False
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    return all(run.bold or (run.bold is None and style_bold) for run in runs)


def docx_lines(source: Source) -> list[Line]:
    """The document's paragraphs as lines with title/heading hints."""
    name, data = source.filename, source.data
    if data.startswith(CFB_MAGIC):
        raise ImportRefused(name, "Word 文档设有密码（已加密）或是旧版 .doc 格式，无法读取；请另存为未加密的 .docx")
    if not data.startswith(ZIP_MAGIC):
        raise ImportRefused(name, "不是有效的 .docx 文件")
    try:
        import docx  # python-docx

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                raise ImportRefused(name, "压缩包里没有 Word 正文（word/document.xml），不是 .docx 文件")
            if "EncryptionInfo" in names or "EncryptedPackage" in names:
                raise ImportRefused(name, "Word 文档设有密码（已加密），无法读取")
        document = docx.Document(io.BytesIO(data))
        raw = []
        for paragraph in document.paragraphs:
            style = paragraph.style.name if paragraph.style is not None else ""
            raw.append((paragraph.text, _level(style), _TOC_STYLE_RE.match(style or "") is not None,
                        _all_bold(paragraph)))
    except ImportRefused:
        raise
    except Exception as exc:  # noqa: BLE001 — zipfile, lxml and python-docx raise many types on broken files
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
