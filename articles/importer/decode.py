"""From a path or bytes to lines of text: size limit, file type, encoding, line ends.

Encodings are detected, never asked: a BOM decides first (UTF-8, UTF-16); NUL bytes without
a BOM mean UTF-16 when one byte order decodes to plausible text; otherwise strict UTF-8, then
GB18030 (a superset of GBK and GB2312). Whatever still looks like binary is refused.
"""
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .errors import ImportRefused

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE container: encrypted .docx or old .doc


@dataclass
class Source:
    """The raw file: its bytes, the name to show in messages, and its SHA-256."""

    data: bytes
    filename: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def is_docx(self) -> bool:
        return self.data.startswith(ZIP_MAGIC) or self.filename.lower().endswith(".docx")


def max_bytes() -> int:
    return getattr(settings, "HUIBIAN_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def read_source(path_or_bytes, filename: str | None = None) -> Source:
    """Read the file (or take the bytes), refusing what is missing, empty or too large."""
    limit = max_bytes()
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
        name = filename or "上传的文件"
    elif hasattr(path_or_bytes, "read"):
        name = filename or os.path.basename(getattr(path_or_bytes, "name", "")) or "上传的文件"
        data = path_or_bytes.read(limit + 1)
    else:
        path = Path(path_or_bytes)
        name = filename or str(path)
        if not path.exists():
            raise ImportRefused(name, "文件不存在")
        if not path.is_file():
            raise ImportRefused(name, "不是一个文件")
        size = path.stat().st_size
        if size > limit:
            raise ImportRefused(name, f"文件过大（{_megabytes(size)}），上限为 {_megabytes(limit)}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportRefused(name, f"无法读取文件（{exc.strerror or exc}）") from None
    if len(data) > limit:
        raise ImportRefused(name, f"文件过大（超过 {_megabytes(limit)}）")
    if not data.strip():
        raise ImportRefused(name, "文件是空的")
    return Source(data=data, filename=name)


_BAD_CHARS_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffd]")


def _plausible(text: str) -> bool:
    """True when text is mostly printable: Han, ASCII, punctuation; few controls."""
    if not text:
        return False
    return len(_BAD_CHARS_RE.findall(text)) <= max(2, len(text) // 200)


def _decode_utf16_without_bom(data: bytes) -> str | None:
    even_zeros = data[0::2].count(0)
    odd_zeros = data[1::2].count(0)
    order = ("utf-16-le", "utf-16-be") if odd_zeros >= even_zeros else ("utf-16-be", "utf-16-le")
    for codec in order:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _plausible(text) and any("\u4e00" <= ch <= "\u9fff" or ch.isascii() for ch in text):
            return text
    return None


def decode_text(source: Source) -> str:
    """The text of a plain-text file with line ends normalised to ``\\n``."""
    data, name = source.data, source.filename
    text = None
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRefused(name, "UTF-16 编码的文件已损坏，无法解码") from None
    elif b"\x00" in data:
        text = _decode_utf16_without_bom(data) if len(data) % 2 == 0 else None
        if text is None:
            raise ImportRefused(name, "看起来是二进制文件，不是文本或 Word 文档")
    else:
        for codec in ("utf-8", "gb18030"):
            try:
                text = data.decode(codec)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise ImportRefused(name, "无法识别文件编码（支持 UTF-8、GB18030/GBK、UTF-16）")
    if not _plausible(text):
        raise ImportRefused(name, "看起来是二进制文件，不是文本或 Word 文档")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").lstrip("\ufeff")
    return strip_controls(text)


_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """Drop the few stray control characters a plausible text may hold: no database column
    (PostgreSQL refuses NUL) and no .docx export (XML forbids them) can keep them."""
    return _CONTROLS_RE.sub("", text)
