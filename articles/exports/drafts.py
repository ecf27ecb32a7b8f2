"""A writer's draft as a file: their own headings and text, and the clips they took from
articles, each clip followed by a footnote naming its source.

The .docx has the layout of the other exports (GB/T 9704, see :mod:`.docx`), with real Word
footnotes, numbered 1, 2, 3 … at the foot of the page in 仿宋 四号. python-docx has no footnote
API, so the footnotes part (``/word/footnotes.xml``) is added here through its OPC layer,
holding the separator (id -1) and continuation separator (id 0) Word expects before the notes.
The .txt marks each clip ``[1]`` and lists the sources under 材料来源 at the end.
"""
import copy
from dataclasses import dataclass
from io import BytesIO

import docx as python_docx
from django.utils.translation import gettext as _
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from lxml import etree

from .content import xml_safe
from .docx import (
    BODY_FONT,
    _add_paragraph,
    _new_document,
    _save,
    _style_paragraph_format,
    _style_run_format,
    heading_style,
    title_style,
)
from .txt import INDENT, NEWLINE

HEADING, TEXT, CLIP = "heading", "text", "clip"
KINDS = (HEADING, TEXT, CLIP)

FOOTNOTE_SIZE = Pt(14)  # 四号
FOOTNOTE_TEXT_STYLE = "FootnoteText"
FOOTNOTE_REFERENCE_STYLE = "FootnoteReference"

# What Word writes before the first note: the short rule above the notes, and the long one
# for a note continued from the previous page. Single spacing, off the 28.95 pt line grid.
_FOOTNOTES_XML = f"""<w:footnotes {nsdecls("w", "r")}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:snapToGrid w:val="0"/>
<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/>
</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:snapToGrid w:val="0"/>
<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/>
</w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
</w:footnotes>"""
_SPECIAL_FOOTNOTE_TYPES = {"separator", "continuationSeparator", "continuationNotice"}
# Children of w:settings that come after w:footnotePr (ECMA-376 CT_Settings order).
_AFTER_FOOTNOTE_PR = (
    "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
    "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown",
    "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags",
    "w:decimalSymbol", "w:listSeparator",
)


@dataclass(frozen=True)
class DraftBlock:
    """One piece of a draft, in the order the writer arranged them."""

    kind: str  # "heading" (the writer's own heading), "text" (own text), "clip"
    text: str
    source: str = ""  # for a clip: its one-line source, e.g. 《标题》，机关，汇编名，2023年5月1日


@dataclass(frozen=True)
class _Block:
    kind: str
    paragraphs: list[str]  # a heading keeps its lines together: one item, "\n" inside
    source: str


def _clean(title: str, blocks: list[DraftBlock]) -> tuple[str, list[_Block]]:
    """The title and the non-empty blocks, free of characters XML cannot hold. A clip
    without a source has nothing to cite and is written as plain text."""
    cleaned = []
    for block in blocks:
        if block.kind not in KINDS:
            raise ValueError(f"unknown draft block kind {block.kind!r}")
        lines = [line.strip() for line in xml_safe(block.text).splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            continue
        source = " ".join(xml_safe(block.source).split()) if block.kind == CLIP else ""
        kind = TEXT if block.kind == CLIP and not source else block.kind
        paragraphs = ["\n".join(lines)] if kind == HEADING else lines
        cleaned.append(_Block(kind, paragraphs, source))
    title = " ".join(xml_safe(title).split()) or _("未命名文稿")
    return title, cleaned


# --- .docx -----------------------------------------------------------------------------


def draft_docx(title: str, blocks: list[DraftBlock]) -> bytes:
    """The draft as a .docx: title, headings as Heading 1, text and clips as body paragraphs,
    each clip followed by a footnote reference whose note is the clip's source."""
    title, cleaned = _clean(title, blocks)
    document = _new_document(title)
    _add_paragraph(document, title, style=title_style(False))
    if cleaned:
        _add_paragraph(document)
    notes = _Footnotes(document) if any(b.kind == CLIP for b in cleaned) else None
    heading = heading_style(1, False)
    for block in cleaned:
        if block.kind == HEADING:
            _add_paragraph(document, block.paragraphs[0], style=heading)
            continue
        for text in block.paragraphs:
            paragraph = _add_paragraph(document, text)
        if block.kind == CLIP:
            notes.add(paragraph, block.source)
    return _save(document)


class _Footnotes:
    """The footnotes part of one document, and the styles its notes and references use."""

    def __init__(self, document):
        self.element = parse_xml(_FOOTNOTES_XML)
        part = XmlPart(
            PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.element, document.part.package
        )
        document.part.relate_to(part, RT.FOOTNOTES)
        _add_footnote_styles(document)
        settings = document.settings.element
        settings.insert_element_before(
            parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/>'
                      '<w:footnote w:id="0"/></w:footnotePr>'),
            *_AFTER_FOOTNOTE_PR,
        )
        self.count = 0
        # Built once and copied per note: cheaper than assembling each run anew.
        self._reference = _reference_run(OxmlElement("w:footnoteReference"))
        self._note = parse_xml(
            f'<w:footnote {nsdecls("w")}><w:p><w:pPr><w:pStyle w:val="{FOOTNOTE_TEXT_STYLE}"/>'
            f"</w:pPr></w:p></w:footnote>"
        )
        self._note[0].append(_reference_run(OxmlElement("w:footnoteRef")))

    def add(self, paragraph, text):
        """Put the next footnote reference at the end of ``paragraph``, with ``text`` as note."""
        self.count += 1
        number = str(self.count)
        reference = copy.deepcopy(self._reference)
        reference[-1].set(qn("w:id"), number)
        paragraph._p.append(reference)
        note = copy.deepcopy(self._note)
        note.set(qn("w:id"), number)
        run = OxmlElement("w:r")
        run.add_t(f" {text}")  # add_t keeps the leading space (xml:space="preserve")
        note[0].append(run)
        self.element.append(note)


def _reference_run(mark):
    """A run holding a footnote mark, superscript in the reference style."""
    run = OxmlElement("w:r")
    rpr = etree.SubElement(run, qn("w:rPr"))
    etree.SubElement(rpr, qn("w:rStyle")).set(qn("w:val"), FOOTNOTE_REFERENCE_STYLE)
    etree.SubElement(rpr, qn("w:vertAlign")).set(qn("w:val"), "superscript")
    run.append(mark)
    return run


def _add_footnote_styles(document):
    """Word's built-in footnote styles, which python-docx's template lacks: notes in 仿宋 四号,
    single spaced and off the line grid, without the body's first-line indent."""
    styles = document.styles
    text = styles.add_style("footnote text", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
    text.element.styleId = FOOTNOTE_TEXT_STYLE
    text.base_style = styles["Normal"]
    _style_run_format(text, BODY_FONT, FOOTNOTE_SIZE)
    _style_paragraph_format(text, line=None, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=0)
    text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    ppr = text.element.get_or_add_pPr()
    ppr.insert_element_before(
        parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'), "w:spacing", "w:ind", "w:jc"
    )
    reference = styles.add_style("footnote reference", WD_STYLE_TYPE.CHARACTER, builtin=True)
    reference.element.styleId = FOOTNOTE_REFERENCE_STYLE
    reference.font.superscript = True
    for style in (text, reference):
        style.priority = 99
        style.unhide_when_used = True


def footnotes_of(docx_bytes: bytes) -> list[str]:
    """The footnotes of a .docx as a reader sees them: the notes' texts in the order their
    references appear in the body (the order Word numbers them), separators left out.

    Raises ``ValueError`` if the body refers to a footnote the file does not hold.
    """
    document = python_docx.Document(BytesIO(docx_bytes))
    try:
        part = document.part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        return []
    notes = {}
    for note in etree.fromstring(part.blob).iter(qn("w:footnote")):
        if note.get(qn("w:type")) in _SPECIAL_FOOTNOTE_TYPES:
            continue
        paragraphs = ("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in note.iter(qn("w:p")))
        notes[note.get(qn("w:id"))] = "\n".join(paragraphs).strip()
    texts = []
    for reference in document.element.body.iter(qn("w:footnoteReference")):
        number = reference.get(qn("w:id"))
        if number not in notes:
            raise ValueError(f"footnote reference {number} has no footnote")
        texts.append(notes[number])
    return texts


# --- .txt ------------------------------------------------------------------------------


def draft_txt(title: str, blocks: list[DraftBlock]) -> str:
    """The draft as plain text with CRLF line ends, like the other .txt exports: title, a
    blank line, headings on their own lines, paragraphs indented by two ideographic spaces,
    ``[1]`` after each clip, and the sources listed under 材料来源 at the end.

    Encode it as ``utf-8-sig`` (with a byte-order mark) for Notepad and WPS, as
    :mod:`.txt` does.
    """
    title, cleaned = _clean(title, blocks)
    lines, sources = [title, ""], []
    for block in cleaned:
        if block.kind == HEADING:
            lines += block.paragraphs[0].split("\n")
            continue
        paragraphs = [INDENT + text for text in block.paragraphs]
        if block.kind == CLIP:
            sources.append(block.source)
            paragraphs[-1] += f"[{len(sources)}]"
        lines += paragraphs
    if sources:
        lines += ["", _("材料来源")]
        lines += [f"[{number}] {source}" for number, source in enumerate(sources, start=1)]
    return NEWLINE.join(lines) + NEWLINE
