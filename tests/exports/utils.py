"""Test data and readers for the export tests: a members-only article whose text after the
teaser holds a sentence that must never reach an anonymous reader."""
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from unittest import skipUnless

import docx
import pypdfium2 as pdfium

from articles.models import Agency
from tests.factories import make_agency, make_article, make_compilation

# Our own writing in the genre's form: codes (D, T, DK), placeholders (XX), two-line heading.
INTRO = (
    "今年以来，XX县交通运输局坚持以D建引领业务发展，围绕“三个聚焦”开展TD日活动，"
    "推动机关作风持续好转，群众满意度稳步提升，各项工作取得了新的进展。"
)
SECTIONS = [
    {"heading": "", "paragraphs": [INTRO]},
    {"heading": "一、聚焦政治建设，筑牢思想根基",
     "paragraphs": ["局D组坚持“第一议题”制度，全年讲DK12次，组织D员干部集中学习36次。"]},
    {"heading": "（一）抓实理论学习",
     "paragraphs": ["依托青年理论学习小组，开展“周学月考”活动，覆盖干部职工120余人。"]},
    {"heading": "以“优化营商环境”为着力点\n打造服务型机关",
     "paragraphs": ["推行“马上办、网上办、就近办”，压缩审批时限百分之四十。"]},
]
# Long enough that the teaser (150 characters) stops well before SECRET.
MEMBERS_INTRO = (
    "今年以来，XX市审计局紧紧围绕模范机关建设目标，把D建工作与审计业务深度融合，"
    "在强化政治引领、完善制度机制、锤炼干部作风等方面持续用力，取得了阶段性成效。"
    "全局上下以T教育为契机，开展专题研讨、实地调研、警示教育等系列活动，"
    "推动理论学习走深走实，确保各项部署落到实处，为审计事业高质量发展提供坚强保证。"
)
SECRET = "会员专享内容：试点单位节约经费约三百二十万元"


def original_text(sections):
    lines = []
    for section in sections:
        if section["heading"]:
            lines += section["heading"].splitlines()
        lines += section["paragraphs"]
    return "\n".join(lines)


def make_public_article(**overrides):
    overrides.setdefault("title", "县交通运输局：以D建引领打造“XX交通”品牌")
    if "agency" not in overrides:
        overrides["agency"] = (
            Agency.objects.filter(name="县交通运输局").first() or make_agency(name="县交通运输局")
        )
    overrides.setdefault("sections", SECTIONS)
    overrides.setdefault("original_text", original_text(SECTIONS))
    return make_article(**overrides)


def make_members_article(**overrides):
    sections = [
        {"heading": "", "paragraphs": [MEMBERS_INTRO]},
        {"heading": "一、压实责任，健全机制", "paragraphs": [SECRET + "。"]},
    ]
    overrides.setdefault("title", "市审计局“四个着力”推进清廉机关建设")
    overrides.setdefault("members_only", True)
    overrides.setdefault("sections", sections)
    overrides.setdefault("original_text", original_text(sections))
    return make_article(**overrides)


def make_library():
    """A published compilation with a public article, a members-only one and a draft."""
    compilation = make_compilation(title="关于D建引领模范机关建设材料汇编（3篇）")
    public = make_public_article(compilation=compilation, position=1)
    members = make_members_article(compilation=compilation, position=2)
    draft = make_article(
        compilation=compilation, position=3, title="草稿：尚未审定的经验材料", status="draft"
    )
    return compilation, public, members, draft


needs_soffice = skipUnless(
    shutil.which("soffice") or os.environ.get("HUIBIAN_REQUIRE_SOFFICE"),
    "LibreOffice (soffice) is not installed, so the .docx cannot be rendered to check its "
    "layout and footnotes (Debian package libreoffice-writer-nogui)",
)


def libreoffice_pdf(data: bytes):
    """A .docx rendered to PDF by LibreOffice, opened with pdfium."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "file.docx").write_bytes(data)
        # A profile of its own: a running LibreOffice would otherwise take the job.
        subprocess.run(
            ["soffice", f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(tmp), str(tmp / "file.docx")],
            check=True, capture_output=True, timeout=180,
        )
        return pdfium.PdfDocument((tmp / "file.pdf").read_bytes())


def page_lines(page) -> list[str]:
    """The printed characters of a PDF page, line by line from the top (spaces left out): a
    character whose middle is more than 8 pt off the line's starts the next one."""
    text = page.get_textpage()
    lines, middle = [], None
    for i in range(text.count_chars()):
        char = text.get_text_range(i, 1)
        if not char.strip():
            continue
        _left, bottom, _right, top = text.get_charbox(i, loose=True)  # the font's box
        if middle is None or abs((bottom + top) / 2 - middle) > 8:
            lines.append("")
            middle = (bottom + top) / 2
        lines[-1] += char
    return lines


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def docx_xml(data: bytes) -> str:
    """Every XML part of a .docx, joined: body, headers, footers, properties."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )
