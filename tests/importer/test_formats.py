"""PDF and legacy Word (.doc): one document of ours in .txt, .pdf (made by LibreOffice from a
.docx with heading styles) and .doc (Word 97, also by LibreOffice) parses to the same
compilation; scans, bombs, damaged files and a missing antiword get a clear message; radical
code points from PDF text layers are folded to the ideographs a reader sees."""
import os
import shutil
import zlib

import pytest

from articles.importer import ImportRefused, parse_file
from articles.importer import doc as doc_module
from articles.importer import pdf as pdf_module
from articles.text import fold_radicals
from tests.importer.helpers import FIXTURES

DOCUMENT = {suffix: FIXTURES / f"importer_regions.{suffix}" for suffix in ("txt", "pdf", "doc")}
needs_antiword = pytest.mark.skipif(
    shutil.which("antiword") is None and not os.environ.get("HUIBIAN_REQUIRE_ANTIWORD"),
    reason="antiword is not installed (Debian package antiword; .ci/debian-deps installs it)")


def shape(parsed):
    return {
        "title": parsed.title, "count": parsed.declared_count,
        "toc": [(item.title, item.page) for item in parsed.toc],
        "articles": [(a.title, a.agency, a.members_only, a.sections, a.original_text)
                     for a in parsed.articles],
        "dropped": parsed.dropped_lines,
    }


@pytest.fixture(scope="module")
def from_text():
    return shape(parse_file(DOCUMENT["txt"]))


def test_the_text_version_is_what_the_others_must_equal(from_text):
    assert from_text["count"] == 6 and len(from_text["articles"]) == 6
    assert from_text["dropped"] == 1  # the advertising footer
    assert [members for _t, _a, members, _s, _o in from_text["articles"]] == [True] * 3 + [False] * 3


def test_a_pdf_reads_as_its_text(from_text):
    assert shape(parse_file(DOCUMENT["pdf"])) == from_text


@needs_antiword
def test_a_legacy_word_document_reads_as_its_text(from_text):
    assert shape(parse_file(DOCUMENT["doc"])) == from_text


def test_without_antiword_a_doc_gets_a_clear_message(monkeypatch):
    monkeypatch.setattr(doc_module.shutil, "which", lambda name: None)
    with pytest.raises(ImportRefused, match="未安装 antiword.*另存为 .docx"):
        parse_file(DOCUMENT["doc"])


@needs_antiword
def test_a_damaged_doc_is_refused():
    data = DOCUMENT["doc"].read_bytes()
    for broken in (data[:2048] + b"\x00" * (len(data) - 2048), data[: len(data) // 2]):
        with pytest.raises(ImportRefused, match="无法读取"):
            parse_file(broken, filename="坏文件.doc")
    with pytest.raises(ImportRefused, match="无法读取"):
        parse_file(broken, filename="坏文件.doc")


def minimal_pdf(content: bytes, *, compress=False) -> bytes:
    """A one-page PDF whose page draws ``content`` (no fonts: no text layer)."""
    stream = zlib.compress(content) if compress else content
    flate = b"/Filter /FlateDecode " if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< " + flate + b"/Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_a_scanned_pdf_without_text_is_refused_in_chinese():
    scan = minimal_pdf(b"0 0 m 500 700 l S 10 10 400 400 re f")
    with pytest.raises(ImportRefused, match="没有文字层.*扫描件.*OCR"):
        parse_file(scan, filename="扫描件.pdf")


def test_a_pdf_that_expands_past_the_limit_is_refused_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(pdf_module, "MAX_EXPANDED_BYTES", 1024 * 1024)
    bomb = minimal_pdf(b"0 0 m " * (400 * 1024), compress=True)  # 2.4 MB from ~10 KB
    assert len(bomb) < 50_000
    opened = []
    monkeypatch.setattr(pdf_module, "_page_chars", lambda *a: opened.append(1) or [])
    with pytest.raises(ImportRefused, match="解压后超过 1 MB.*压缩炸弹"):
        parse_file(bomb, filename="炸弹.pdf")
    assert opened == []


def test_a_damaged_pdf_is_refused():
    data = DOCUMENT["pdf"].read_bytes()
    with pytest.raises(ImportRefused, match="PDF"):
        parse_file(data[:200], filename="截断.pdf")


def test_radicals_and_compatibility_ideographs_are_folded():
    assert fold_radicals("⼀⼆⼈⺠⻓⻔⽣⽂\uf900") == "一二人民长门生文\u8c48"  # 豈 → 豈
    assert fold_radicals("为⺠服务") == "为民服务"
    text = DOCUMENT["txt"].read_text(encoding="utf-8")
    folded = text.replace("民政局", "⺠政局").replace("一、", "⼀、").replace("长", "⻓")
    parsed = parse_file(folded.encode("utf-8"), filename="radicals.txt")
    assert shape(parsed)["articles"] == shape(parse_file(DOCUMENT["txt"]))["articles"]
