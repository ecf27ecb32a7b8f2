"""Word files laid out the way Chinese official documents are (GB/T 9704-2012).

A4 paper; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, which leaves the
156 × 225 mm type area; 22 lines of 28 characters (fixed line pitch 28.95 pt; 28 three-hao
characters fit a line because the text is condensed by half a point, see ``CONDENSE``); title in 小标宋 二号 centred; body in 仿宋 三号 with a two-character
first-line indent; first-level headings (一、) in 黑体 三号, second-level ones (（一）) in
楷体 三号; page numbers “— 1 —” in 宋体 四号, outside right on odd pages and outside left
on even ones. Headings use Word's own heading styles (Heading 1/2 in an article, whose
title is in Title; in a compilation the article titles are Heading 1 and their headings
Heading 2/3), so the navigation pane and the table of contents work in any language of Word.

East Asian font names go into ``w:eastAsia`` of ``w:rFonts`` and the template's theme
fonts are removed, since a theme font would win over the name we set.
"""
from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .content import ArticleContent

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_PITCH = Pt(28.95)  # 225 mm type area / 22 lines
TITLE_LINE_PITCH = Pt(35)
# Character grid: 156 mm / 28 characters is 0.21 pt narrower than a 16 pt character;
# Word counts the difference in 4096ths of a point. The grid is declared (Word's page set-up
# shows 22 × 28) but paragraphs do not snap to it: LibreOffice gives a character wider than a
# grid cell two cells, which left 14 characters a line. Instead the text is condensed by
# ``CONDENSE`` (twentieths of a point): 28 characters a line in Word and LibreOffice alike
# (-0.25 pt still gave LibreOffice 27).
CHAR_SPACE = -849
CONDENSE = -10
LINE_PITCH_TWIPS = 579

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
FOOTER_DISTANCE = Mm(28)  # page number 7 mm below the type area
EM_DASH = "\u2014"


# --- low-level helpers -----------------------------------------------------------------


def _set_fonts(element, east_asia, latin=LATIN_FONT):
    """Name the fonts of a style or run, dropping any theme font that would override them."""
    rfonts = element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.attrib.clear()
    for attr, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia), ("cs", latin)):
        rfonts.set(qn(f"w:{attr}"), value)


def _set_first_line_chars(paragraph_format_element, chars):
    """Indent the first line by whole characters (w:firstLineChars), as Chinese Word does."""
    ind = paragraph_format_element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _style_run_format(style, east_asia, size, *, bold=False):
    font = style.font
    _set_fonts(style.element, east_asia)
    font.size = size
    font.bold = bold
    font.italic = False
    rpr = style.element.get_or_add_rPr()
    # Complex-script leftovers of the template (and its theme colour) would only confuse.
    for tag in ("w:color", "w:szCs", "w:bCs"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    font.color.rgb = RGBColor(0, 0, 0)


def _style_paragraph_format(style, *, line=LINE_PITCH, align=None, indent_chars=2):
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.alignment = align
    fmt.first_line_indent = BODY_SIZE * indent_chars if indent_chars else Pt(0)
    _set_first_line_chars(style.element, indent_chars)
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _add_field(paragraph, instruction, cached=""):
    """Append a complex field (PAGE, TOC …) to a paragraph; Word computes it on display."""
    def fld_char(kind):
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)
        return run

    fld_char("begin")
    instr_run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run._r.append(instr)
    fld_char("separate")
    if cached:
        paragraph.add_run(cached)
    fld_char("end")


def _add_bookmark(paragraph, bookmark_id, name):
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    paragraph._p.insert(0 if paragraph._p.pPr is None else 1, start)
    paragraph._p.append(end)


def _add_internal_link(paragraph, anchor, text):
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = paragraph.add_run(text)
    paragraph._p.remove(run._r)
    link.append(run._r)
    paragraph._p.append(link)


# --- document set-up -------------------------------------------------------------------


def _new_document(title, *, compilation=False):
    document = Document()
    document.core_properties.title = title
    document.core_properties.author = _("汇编库")
    document.core_properties.language = "zh-CN"
    _setup_defaults(document)
    _setup_styles(document, compilation=compilation)
    _setup_page(document)
    return document


def _setup_defaults(document):
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    rfonts.attrib.clear()
    for attr, value in (("ascii", LATIN_FONT), ("hAnsi", LATIN_FONT),
                        ("eastAsia", BODY_FONT), ("cs", LATIN_FONT)):
        rfonts.set(qn(f"w:{attr}"), value)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    font_lang = document.settings.element.find(qn("w:themeFontLang"))
    if font_lang is not None:
        font_lang.set(qn("w:eastAsia"), "zh-CN")
    document.settings.odd_and_even_pages_header_footer = True


def _setup_styles(document, *, compilation=False):
    """Body, title and heading styles. In a compilation each article's title is Heading 1
    (laid out as a title) and its headings move one level down, so the navigation pane and
    the table of contents show articles first; a single article keeps its title in Title."""
    styles = document.styles
    normal = styles["Normal"]
    _style_run_format(normal, BODY_FONT, BODY_SIZE)
    _style_paragraph_format(normal, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    # Every style is based on Normal, so these two hold everywhere (see ``CHAR_SPACE``).
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    normal.element.get_or_add_pPr().append(snap)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE))
    normal.element.get_or_add_rPr().append(spacing)

    title = styles[title_style(compilation)]
    _style_run_format(title, TITLE_FONT, TITLE_SIZE)
    _style_paragraph_format(
        title, line=TITLE_LINE_PITCH, align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0
    )
    for tag in ("w:spacing", "w:kern"):
        for el in title.element.rPr.findall(qn(tag)):
            title.element.rPr.remove(el)

    for level, font in ((1, HEADING1_FONT), (2, HEADING2_FONT)):
        heading = styles[heading_style(level, compilation)]
        _style_run_format(heading, font, BODY_SIZE)
        _style_paragraph_format(heading, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    for name in ("Footer", "Header"):
        style = styles[name]
        _style_run_format(style, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        _style_paragraph_format(style, line=None, indent_chars=0)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def title_style(compilation: bool) -> str:
    """The Word style of an article's title: Title alone, Heading 1 inside a compilation."""
    return "Heading 1" if compilation else "Title"


def heading_style(level: int, compilation: bool) -> str:
    """The Word style of a heading of level 1 (一、) or 2 (（一）)."""
    return f"Heading {level + 1 if compilation else level}"


def _setup_page(document):
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.footer_distance = FOOTER_DISTANCE
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    # GB/T 9704: odd page numbers sit right, even ones left, one character in from the edge.
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["Footer"]
        paragraph.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        else:
            paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
        paragraph.add_run(f"{EM_DASH} ")
        _add_field(paragraph, "PAGE", cached="1")
        paragraph.add_run(f" {EM_DASH}")


# --- content ---------------------------------------------------------------------------


def _add_paragraph(document, text="", style=None):
    """A paragraph in a style given by name, set by its id: python-docx's own lookup by name
    scans every style each time, which made a 200-article compilation take seconds."""
    paragraph = document.add_paragraph()
    if style:
        style_id = _STYLE_IDS.get(style) or document.styles[style].style_id
        paragraph._p.get_or_add_pPr().style = style_id
    if text:
        _add_text(paragraph, text)
    return paragraph


# Word's own ids of the built-in styles used for titles and headings.
_STYLE_IDS = {"Title": "Title", "Heading 1": "Heading1", "Heading 2": "Heading2",
              "Heading 3": "Heading3"}


def _add_text(paragraph, text):
    """Append text as one run; line breaks become w:br (python-docx's own, slower path)."""
    if "\n" in text or "\t" in text:
        return paragraph.add_run(text)
    run = paragraph.add_run()
    run._r.add_t(text)
    return run


def _write_article(document, content: ArticleContent, *, compilation=False, bookmark=None):
    title = _add_paragraph(document, content.title, style=title_style(compilation))
    if compilation:
        title.paragraph_format.page_break_before = True
    if bookmark:
        _add_bookmark(title, *bookmark)
    if content.agency:
        agency = _add_paragraph(document)
        agency.alignment = WD_ALIGN_PARAGRAPH.CENTER
        agency.paragraph_format.first_line_indent = Pt(0)
        _set_first_line_chars(agency._p, 0)
        _set_fonts(_add_text(agency, content.agency)._r, HEADING2_FONT)
    _add_paragraph(document)
    for section in content.sections:
        if section.heading:
            level = 2 if section.level == 2 else 1
            # A two-line heading keeps its line break.
            _add_paragraph(document, section.heading, style=heading_style(level, compilation))
        for text in section.paragraphs:
            _add_paragraph(document, text)
    if content.notice:
        notice = _add_paragraph(document)
        _set_fonts(_add_text(notice, content.notice)._r, HEADING2_FONT)
    _add_paragraph(document, content.source).alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _save(document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def article_docx(content: ArticleContent) -> bytes:
    """One article as a .docx file."""
    document = _new_document(content.title)
    _write_article(document, content)
    return _save(document)


def compilation_docx(title: str, contents: list[ArticleContent]) -> bytes:
    """A compilation as one .docx: title and table of contents, then each article on a new page.

    The table of contents is a real TOC field over the articles' titles (Heading 1), so
    Word fills in page numbers on “更新域”; until then it lists the titles as links.
    """
    document = _new_document(title, compilation=True)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.first_line_indent = Pt(0)
    heading.paragraph_format.line_spacing = TITLE_LINE_PITCH
    _set_first_line_chars(heading._p, 0)
    run = heading.add_run(title)
    _set_fonts(run._r, TITLE_FONT)
    run.font.size = TITLE_SIZE
    document.add_paragraph()

    toc_heading = document.add_paragraph()
    toc_heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    toc_heading.paragraph_format.first_line_indent = Pt(0)
    _set_first_line_chars(toc_heading._p, 0)
    _set_fonts(toc_heading.add_run(_("目录"))._r, HEADING1_FONT)

    anchors = [f"_Toc_hb_{index}" for index in range(1, len(contents) + 1)]
    entries = [document.add_paragraph() for _content in contents] or [document.add_paragraph()]
    for entry, content, anchor in zip(entries, contents, anchors):
        entry.paragraph_format.first_line_indent = Pt(0)
        _set_first_line_chars(entry._p, 0)
        _add_internal_link(entry, anchor, content.title)
    _wrap_in_toc_field(entries[0], entries[-1])

    for index, (content, anchor) in enumerate(zip(contents, anchors), start=1):
        _write_article(document, content, compilation=True, bookmark=(index, anchor))
    return _save(document)


def _wrap_in_toc_field(first, last):
    """Turn the listed entries into the cached result of a TOC field over Heading 1."""
    begin = first.insert_paragraph_before()
    _add_field(begin, 'TOC \\o "1-1" \\h \\z')
    # Move the field's end marker behind the last entry, so the entries are its result.
    end_run = begin._p.findall(qn("w:r"))[-1]
    begin._p.remove(end_run)
    last._p.append(end_run)
