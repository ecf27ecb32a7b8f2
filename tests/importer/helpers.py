"""Test documents for the importer: our own fixture in every encoding, and .docx builders."""
import io
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_user

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STYLES = FIXTURES / "importer_styles.txt"


def styles_text() -> str:
    return STYLES.read_text(encoding="utf-8")


def variants() -> dict[str, bytes]:
    """The same document as UTF-8, UTF-8 with BOM, GB18030, GBK, UTF-16 (both orders, with
    BOM), CRLF and CR line ends, and full-width-space indentation."""
    text = styles_text()
    indented = "\n".join(
        ("\u3000\u3000" + line) if len(line) > 40 else line for line in text.split("\n")
    )
    return {
        "utf8": text.encode("utf-8"),
        "utf8_bom": text.encode("utf-8-sig"),
        "gb18030": text.encode("gb18030"),
        "gbk": text.encode("gbk"),
        "utf16_le": text.encode("utf-16"),  # BOM + little-endian
        "utf16_be": b"\xfe\xff" + text.encode("utf-16-be"),
        "utf16_le_no_bom": text.encode("utf-16-le"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "cr": text.replace("\n", "\r").encode("gb18030"),
        "fullwidth_indent": indented.encode("utf-8"),
    }


def make_docx(*, bold_headings=False, heading_styles=True) -> bytes:
    """A small compilation as .docx: Title, a 目录, articles under Heading 1, section headings
    as Heading 2 (or as bold paragraphs)."""
    import docx

    document = docx.Document()
    document.add_paragraph("关于基层减负工作材料汇编（2篇）", style="Title")
    document.add_paragraph("目录")
    document.add_paragraph("市信访局：“三个到位”化解信访积案\t2")
    document.add_paragraph("县统计局“四抓四促”提升统计数据质量\t5")
    articles = [
        ("市信访局：“三个到位”化解信访积案", "今年以来，XX市信访局坚持把化解信访积案作为D建工作的重要内容。",
         [("领导包案到位", "局D组成员每人包案3件，逐案研究化解方案。"),
          ("沟通协调到位", "会同相关部门召开联席会议12次，推动问题解决。")]),
        ("县统计局“四抓四促”提升统计数据质量", "县统计局以TD日为载体，推动统计工作和D建工作深度融合。",
         [("抓学习促提升", "组织干部学习统计法律法规，开展专题DK2次。"),
          ("抓规范促质量", "建立数据审核三级把关制度，差错率明显下降。")]),
    ]
    for title, lead, sections in articles:
        if heading_styles:
            document.add_heading(title, level=1)
        else:
            document.add_paragraph("")
            document.add_paragraph("")
            document.add_paragraph(title)
            document.add_paragraph("")
        document.add_paragraph(lead)
        for n, (heading, text) in enumerate(sections):
            label = "一二三四"[n] + "、" + heading
            if bold_headings:
                document.add_paragraph().add_run(heading).bold = True
            elif heading_styles:
                document.add_heading(label, level=2)
            else:
                document.add_paragraph(label)
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class ImportFlow:
    """An editor logged in, uploads staged in a temporary directory."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("编辑乙", group="编辑", staff=True)

    def setUp(self):
        staging = tempfile.TemporaryDirectory()
        self.addCleanup(staging.cleanup)
        override = self.settings(HUIBIAN_IMPORT_STAGING=staging.name)
        override.enable()
        self.addCleanup(override.disable)
        self.client.force_login(self.editor)
        self.upload_url = reverse("admin:articles_compilation_import")
        self.confirm_url = reverse("admin:articles_compilation_import_confirm")

    def upload(self, data, name):
        return self.client.post(self.upload_url, {"file": SimpleUploadedFile(name, data)})
