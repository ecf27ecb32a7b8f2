"""The .docx exports: GB/T 9704 page, fonts (East Asian names included), Word heading styles,
page-number field, and a compilation's table of contents — read back with python-docx."""
from django.contrib.auth.models import AnonymousUser
from django.test import TestCase
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn

from articles.exports import article_content, compilation_contents
from articles.exports.docx import article_docx, compilation_docx
from tests.factories import make_user

from .utils import (
    SECRET,
    docx_xml,
    libreoffice_pdf,
    make_library,
    make_public_article,
    needs_soffice,
    open_docx,
    page_lines,
)


def east_asia_font(element):
    rfonts = element.rPr.find(qn("w:rFonts"))
    return rfonts.get(qn("w:eastAsia")), rfonts.get(qn("w:eastAsiaTheme"))


class ArticleDocxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation, cls.public, cls.members, cls.draft = make_library()

    def setUp(self):
        self.data = article_docx(article_content(self.public, AnonymousUser()))
        self.document = open_docx(self.data)

    def test_page_is_a4_with_official_document_margins(self):
        section = self.document.sections[0]
        measured = {
            "width": section.page_width.mm, "height": section.page_height.mm,
            "top": section.top_margin.mm, "bottom": section.bottom_margin.mm,
            "left": section.left_margin.mm, "right": section.right_margin.mm,
        }
        expected = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}
        for name, value in expected.items():
            self.assertAlmostEqual(measured[name], value, delta=0.1, msg=name)

    def test_body_is_fangsong_sanhao_with_fixed_line_pitch_and_two_character_indent(self):
        normal = self.document.styles["Normal"]
        self.assertEqual(east_asia_font(normal.element), ("仿宋_GB2312", None))
        self.assertEqual(normal.font.size.pt, 16)
        fmt = normal.paragraph_format
        self.assertEqual(fmt.line_spacing_rule, WD_LINE_SPACING.EXACTLY)
        self.assertTrue(28 <= fmt.line_spacing.pt <= 29, fmt.line_spacing.pt)
        self.assertEqual(fmt.first_line_indent.pt, 32)
        ind = normal.element.pPr.find(qn("w:ind"))
        self.assertEqual(ind.get(qn("w:firstLineChars")), "200")
        body = [p for p in self.document.paragraphs if p.style.name == "Normal" and p.text]
        self.assertIn("局党组坚持“第一议题”制度，全年讲党课12次", "".join(p.text for p in body))

    def test_title_is_xiaobiaosong_erhao_centred(self):
        title = self.document.paragraphs[0]
        self.assertEqual(title.style.name, "Title")
        self.assertEqual(title.text, "县交通运输局：以党建引领打造“XX交通”品牌")
        self.assertEqual(east_asia_font(title.style.element), ("方正小标宋简体", None))
        self.assertEqual(title.style.font.size.pt, 22)
        self.assertEqual(title.style.paragraph_format.alignment, WD_ALIGN_PARAGRAPH.CENTER)
        self.assertEqual(self.document.core_properties.title, title.text)

    def test_headings_use_word_heading_styles_in_heiti_and_kaiti(self):
        headings = {p.text: p.style.name for p in self.document.paragraphs
                    if p.style.name.startswith("Heading")}
        self.assertEqual(headings, {
            "一、聚焦政治建设，筑牢思想根基": "Heading 1",
            "（一）抓实理论学习": "Heading 2",
            "以“优化营商环境”为着力点\n打造服务型机关": "Heading 1",
        })
        styles = self.document.styles
        self.assertEqual(east_asia_font(styles["Heading 1"].element), ("黑体", None))
        self.assertEqual(east_asia_font(styles["Heading 2"].element), ("楷体_GB2312", None))
        for name in ("Heading 1", "Heading 2"):
            self.assertEqual(styles[name].font.size.pt, 16)
            self.assertFalse(styles[name].font.bold)

    def test_agency_and_source_lines_follow_the_title(self):
        texts = [p.text for p in self.document.paragraphs]
        self.assertEqual(texts[1], "县交通运输局")
        self.assertIn("来源：《关于党建引领模范机关建设材料汇编（3篇）》（2023年）", texts)

    def test_footer_has_page_field_between_dashes_on_odd_and_even_pages(self):
        self.assertTrue(self.document.settings.odd_and_even_pages_header_footer)
        section = self.document.sections[0]
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            paragraph = footer.paragraphs[0]
            self.assertEqual(paragraph.alignment, align)
            instructions = [i.text.strip() for i in paragraph._p.iter(qn("w:instrText"))]
            self.assertEqual(instructions, ["PAGE"])
            self.assertEqual(paragraph.text, "— 1 —")
            self.assertEqual(paragraph.style.font.size.pt, 14)
            self.assertEqual(east_asia_font(paragraph.style.element), ("宋体", None))

    def test_codes_are_restored_and_placeholders_kept(self):
        xml = docx_xml(self.data)
        self.assertIn("XX县交通运输局坚持以党建引领业务发展", xml)
        self.assertIn("开展主题党日活动", xml)
        self.assertNotIn("D建", xml)


@needs_soffice
class ArticleDocxInLibreOfficeTests(TestCase):
    """GB/T 9704's 28 characters a line, as LibreOffice lays the file out (Word's character
    grid alone gave LibreOffice 14)."""

    def test_full_body_lines_hold_28_characters(self):
        paragraph = ("局D组坚持以D建引领业务工作，聚焦主责主业，推动清廉机关建设走深走实，"
                     "取得了明显成效。") * 5
        article = make_public_article(
            title="市审计局：以D建引领模范机关建设",
            sections=[{"heading": "一、强化政治引领", "paragraphs": [paragraph]}],
        )
        data = article_docx(article_content(article, AnonymousUser()))
        lines = page_lines(libreoffice_pdf(data)[0])
        text = article_content(article, AnonymousUser()).sections[0].paragraphs[0]
        first = next(i for i, line in enumerate(lines) if text.startswith(line))
        body = []  # the paragraph's lines, until its text is used up
        for line in lines[first:]:
            body.append(line)
            if len("".join(body)) >= len(text):
                break
        self.assertEqual("".join(body), text)
        self.assertEqual(len(body[0]), 26, body[0])  # two characters of indent
        self.assertGreater(len(body), 4)
        for line in body[1:-1]:
            self.assertEqual(len(line), 28, line)


class CompilationDocxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation, cls.public, cls.members, cls.draft = make_library()
        cls.member = make_user("会员甲", group="会员")

    def build(self, user):
        return compilation_docx("关于党建引领模范机关建设材料汇编（3篇）",
                                compilation_contents(self.compilation, user))

    def test_table_of_contents_field_lists_the_articles_in_order(self):
        document = open_docx(self.build(self.member))
        instructions = [i.text.strip() for i in document.element.body.iter(qn("w:instrText"))]
        self.assertEqual(instructions, ['TOC \\o "1-1" \\h \\z'])
        texts = [p.text for p in document.paragraphs]
        toc_start = texts.index("目录") + 1
        self.assertEqual(texts[toc_start + 1:toc_start + 3], [
            "县交通运输局：以党建引领打造“XX交通”品牌",
            "市审计局“四个着力”推进清廉机关建设",
        ])

    def test_each_article_starts_a_new_page_as_heading_1_with_headings_a_level_down(self):
        document = open_docx(self.build(self.member))
        titles = [p for p in document.paragraphs if p.style.name == "Heading 1"]
        self.assertEqual([p.text for p in titles], [
            "县交通运输局：以党建引领打造“XX交通”品牌", "市审计局“四个着力”推进清廉机关建设",
        ])
        self.assertTrue(all(p.paragraph_format.page_break_before for p in titles))
        self.assertEqual(east_asia_font(document.styles["Heading 1"].element),
                         ("方正小标宋简体", None))
        levels = {p.text: p.style.name for p in document.paragraphs
                  if p.style.name in ("Heading 2", "Heading 3")}
        self.assertEqual(levels["（一）抓实理论学习"], "Heading 3")
        self.assertEqual(levels["一、压实责任，健全机制"], "Heading 2")
        self.assertEqual(east_asia_font(document.styles["Heading 3"].element),
                         ("楷体_GB2312", None))
        bookmarks = [b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))]
        links = [h.get(qn("w:anchor")) for h in document.element.body.iter(qn("w:hyperlink"))]
        self.assertEqual(bookmarks, links)

    def test_member_gets_members_only_text_and_anonymous_only_the_teaser(self):
        self.assertIn(SECRET, docx_xml(self.build(self.member)))
        anonymous = docx_xml(self.build(AnonymousUser()))
        self.assertNotIn(SECRET, anonymous)
        self.assertIn("今年以来，XX市审计局紧紧围绕模范机关建设目标", anonymous)
        self.assertIn("本文仅对会员开放", anonymous)

    def test_drafts_are_left_out_for_readers(self):
        self.assertNotIn("草稿：尚未审定的经验材料", docx_xml(self.build(self.member)))
