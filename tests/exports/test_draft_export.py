"""A writer's draft as .docx and .txt: headings, own text and clips in the writer's order,
each clip's source as a real Word footnote (and as [n] with a 材料来源 list in .txt), in the
GB/T 9704 layout of the other exports — read back with python-docx, and, where LibreOffice is
installed, rendered to PDF to see the notes at the foot of the page."""
import re
import zipfile
from io import BytesIO

from django.test import SimpleTestCase
from docx.enum.text import WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree

from articles.exports import DraftBlock, draft_docx, draft_txt, footnotes_of

from .utils import libreoffice_pdf, needs_soffice, open_docx

TITLE = "关于推进模范机关建设的几点思考"
SOURCES = [
    ("《县交通运输局：以党建引领打造“XX交通”品牌》，县交通运输局，"
     "关于党建引领模范机关建设材料汇编，2023年5月1日"),
    "《市审计局“四个着力”推进清廉机关建设》，市审计局，清廉机关建设经验汇编，2023年6月2日",
    "《区税务局深化“放管服”改革》，区税务局，优化营商环境材料汇编，2024年1月3日",
]
BLOCKS = [
    DraftBlock("heading", "一、强化政治引领"),
    DraftBlock("text", "我局坚持把党的政治建设摆在首位。\n持续深化理论武装，推动学习走深走实。"),
    DraftBlock("clip", "局党组坚持“第一议题”制度，全年讲党课12次。", SOURCES[0]),
    DraftBlock("heading", "二、压实工作责任"),
    DraftBlock("clip", "聚焦审计主责主业，健全制度机制。\n试点单位节约经费约三百二十万元。", SOURCES[1]),
    DraftBlock("text", "下一步，我们将对标先进，补齐短板。"),
    DraftBlock("clip", "推行“马上办、网上办、就近办”，压缩审批时限百分之四十。", SOURCES[2]),
]
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def paragraphs(data):
    return [(p.text, p.style.name) for p in open_docx(data).paragraphs]


def footnotes_root(data):
    part = open_docx(data).part.part_related_by(RT.FOOTNOTES)
    return part, etree.fromstring(part.blob)


class DraftDocxTests(SimpleTestCase):
    def setUp(self):
        self.data = draft_docx(TITLE, BLOCKS)
        self.document = open_docx(self.data)

    def test_title_headings_text_and_clips_keep_the_writers_order(self):
        self.assertEqual(paragraphs(self.data), [
            (TITLE, "Title"),
            ("", "Normal"),
            ("一、强化政治引领", "Heading 1"),
            ("我局坚持把党的政治建设摆在首位。", "Normal"),
            ("持续深化理论武装，推动学习走深走实。", "Normal"),
            ("局党组坚持“第一议题”制度，全年讲党课12次。", "Normal"),
            ("二、压实工作责任", "Heading 1"),
            ("聚焦审计主责主业，健全制度机制。", "Normal"),
            ("试点单位节约经费约三百二十万元。", "Normal"),
            ("下一步，我们将对标先进，补齐短板。", "Normal"),
            ("推行“马上办、网上办、就近办”，压缩审批时限百分之四十。", "Normal"),
        ])
        self.assertEqual(self.document.core_properties.title, TITLE)

    def test_three_clips_give_their_three_sources_as_footnotes_in_order(self):
        self.assertEqual(footnotes_of(self.data), SOURCES)

    def test_each_clip_ends_in_a_superscript_reference_to_the_footnote_of_the_same_number(self):
        references = {}
        for paragraph in self.document.paragraphs:
            for ref in paragraph._p.iter(qn("w:footnoteReference")):
                run = ref.getparent()
                self.assertIs(run, paragraph._p[-1], "the reference closes the clip")
                self.assertEqual(run.rPr.find(qn("w:rStyle")).get(qn("w:val")),
                                 "FootnoteReference")
                self.assertEqual(run.rPr.find(qn("w:vertAlign")).get(qn("w:val")), "superscript")
                references[ref.get(qn("w:id"))] = paragraph.text
        self.assertEqual(references, {
            "1": "局党组坚持“第一议题”制度，全年讲党课12次。",
            "2": "试点单位节约经费约三百二十万元。",
            "3": "推行“马上办、网上办、就近办”，压缩审批时限百分之四十。",
        })
        _part, root = footnotes_root(self.data)
        notes = [(n.get(qn("w:id")), n.get(qn("w:type"))) for n in root.iter(qn("w:footnote"))]
        self.assertEqual(notes, [("-1", "separator"), ("0", "continuationSeparator"),
                                 ("1", None), ("2", None), ("3", None)])
        for note in root.findall(qn("w:footnote"))[2:]:
            paragraph = note.find(qn("w:p"))
            self.assertEqual(paragraph.find(qn("w:pPr")).find(qn("w:pStyle")).get(qn("w:val")),
                             "FootnoteText")
            self.assertIsNotNone(paragraph.find(qn("w:r")).find(qn("w:footnoteRef")))

    def test_footnotes_part_is_declared_as_word_expects(self):
        part, _root = footnotes_root(self.data)
        self.assertEqual(part.partname, "/word/footnotes.xml")
        self.assertEqual(part.content_type, FOOTNOTES_CT)
        with zipfile.ZipFile(BytesIO(self.data)) as archive:
            types = archive.read("[Content_Types].xml").decode()
        self.assertIn(f'PartName="/word/footnotes.xml" ContentType="{FOOTNOTES_CT}"', types)
        special = self.document.settings.element.find(qn("w:footnotePr"))
        self.assertEqual([n.get(qn("w:id")) for n in special], ["-1", "0"])

    def test_footnotes_are_fangsong_sihao_single_spaced_with_superscript_numbers(self):
        styles = self.document.styles
        text = styles["footnote text"]
        self.assertEqual(text.style_id, "FootnoteText")
        self.assertEqual(text.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")), "仿宋_GB2312")
        self.assertEqual(text.font.size.pt, 14)
        self.assertEqual(text.paragraph_format.line_spacing_rule, WD_LINE_SPACING.SINGLE)
        self.assertEqual(text.paragraph_format.first_line_indent.pt, 0)
        reference = styles["footnote reference"]
        self.assertEqual(reference.style_id, "FootnoteReference")
        self.assertTrue(reference.font.superscript)

    def test_layout_is_that_of_the_other_exports(self):
        section = self.document.sections[0]
        measured = {
            "width": section.page_width.mm, "height": section.page_height.mm,
            "top": section.top_margin.mm, "bottom": section.bottom_margin.mm,
            "left": section.left_margin.mm, "right": section.right_margin.mm,
        }
        expected = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}
        for name, value in expected.items():
            self.assertAlmostEqual(measured[name], value, delta=0.1, msg=name)
        styles = self.document.styles
        fonts = {name: (styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")),
                        styles[name].font.size.pt)
                 for name in ("Title", "Heading 1", "Normal")}
        self.assertEqual(fonts, {"Title": ("方正小标宋简体", 22), "Heading 1": ("黑体", 16),
                                 "Normal": ("仿宋_GB2312", 16)})
        self.assertEqual(styles["Normal"].paragraph_format.line_spacing_rule,
                         WD_LINE_SPACING.EXACTLY)
        footer = section.footer.paragraphs[0]
        self.assertEqual([i.text.strip() for i in footer._p.iter(qn("w:instrText"))], ["PAGE"])

    def test_empty_draft_is_a_document_with_only_its_title_and_no_footnotes(self):
        data = draft_docx(TITLE, [])
        self.assertEqual(paragraphs(data), [(TITLE, "Title")])
        self.assertEqual(footnotes_of(data), [])

    def test_empty_blocks_are_skipped_and_a_clip_without_source_gets_no_footnote(self):
        data = draft_docx(TITLE, [
            DraftBlock("heading", "  \n"),
            DraftBlock("clip", "", SOURCES[0]),
            DraftBlock("text", "\x0b"),
            DraftBlock("clip", "无出处的摘录。", " "),
            DraftBlock("clip", "有出处的摘录。", SOURCES[1]),
        ])
        self.assertEqual(paragraphs(data), [
            (TITLE, "Title"), ("", "Normal"),
            ("无出处的摘录。", "Normal"), ("有出处的摘录。", "Normal"),
        ])
        self.assertEqual(footnotes_of(data), [SOURCES[1]])

    def test_control_characters_are_removed_from_title_text_and_sources(self):
        data = draft_docx("稿件\x07标题", [
            DraftBlock("heading", "一、\x0c标题"),
            DraftBlock("text", "第一段\x0b内容"),
            DraftBlock("clip", "摘录\x00正文", "《材料\x1f》，县交通运输局"),
        ])
        self.assertEqual([text for text, _style in paragraphs(data)],
                         ["稿件标题", "", "一、标题", "第一段内容", "摘录正文"])
        self.assertEqual(footnotes_of(data), ["《材料》，县交通运输局"])

    def test_unknown_block_kind_is_refused(self):
        with self.assertRaisesMessage(ValueError, "'quote'"):
            draft_docx(TITLE, [DraftBlock("quote", "引文")])


class DraftTxtTests(SimpleTestCase):
    def test_clips_are_marked_and_their_sources_listed_at_the_end(self):
        text = draft_txt(TITLE, BLOCKS)
        self.assertEqual(text.split("\r\n"), [
            TITLE,
            "",
            "一、强化政治引领",
            "\u3000\u3000我局坚持把党的政治建设摆在首位。",
            "\u3000\u3000持续深化理论武装，推动学习走深走实。",
            "\u3000\u3000局党组坚持“第一议题”制度，全年讲党课12次。[1]",
            "二、压实工作责任",
            "\u3000\u3000聚焦审计主责主业，健全制度机制。",
            "\u3000\u3000试点单位节约经费约三百二十万元。[2]",
            "\u3000\u3000下一步，我们将对标先进，补齐短板。",
            "\u3000\u3000推行“马上办、网上办、就近办”，压缩审批时限百分之四十。[3]",
            "",
            "材料来源",
            f"[1] {SOURCES[0]}",
            f"[2] {SOURCES[1]}",
            f"[3] {SOURCES[2]}",
            "",
        ])
        self.assertNotIn("\n", text.replace("\r\n", ""))

    def test_draft_without_clips_has_no_source_list(self):
        text = draft_txt(TITLE, [DraftBlock("text", "只有自己的文字。"), DraftBlock("clip", " ", "x")])
        self.assertEqual(text, f"{TITLE}\r\n\r\n\u3000\u3000只有自己的文字。\r\n")

    def test_control_characters_are_removed(self):
        text = draft_txt("稿件\x07标题", [DraftBlock("clip", "摘录\x0b正文", "《材料\x1f》")])
        self.assertEqual(text.split("\r\n"),
                         ["稿件标题", "", "\u3000\u3000摘录正文[1]", "", "材料来源", "[1] 《材料》", ""])


@needs_soffice
class DraftInLibreOfficeTests(SimpleTestCase):
    def test_libreoffice_shows_the_sources_as_numbered_notes_below_the_text(self):
        pdf = libreoffice_pdf(draft_docx(TITLE, BLOCKS))
        pages = [re.sub(r"\s+", "", page.get_textpage().get_text_range()) for page in pdf]
        clip_ends = ["全年讲党课12次。", "三百二十万元。", "压缩审批时限百分之四十。"]
        for number, (clip_end, source) in enumerate(zip(clip_ends, SOURCES), start=1):
            reference, note = f"{clip_end}{number}", f"{number}{source}"
            page = next((page for page in pages if reference in page), "")
            self.assertIn(note, page, f"note {number} is not on the page of its clip")
            self.assertGreater(page.index(note), page.index(reference))
