"""The streaming .docx reader: the same paragraphs as python-docx reads, bounded expansion."""
import io
import zipfile
from unittest import mock

from django.test import SimpleTestCase

from articles.importer import ImportRefused, parse_file
from articles.importer import docx as docx_reader
from articles.importer.decode import Source
from articles.importer.synthetic import make_compilation_text


def synthetic_docx(seed=7, articles=30) -> tuple[bytes, list[str]]:
    """A synthetic compilation as .docx (titles as Heading 1, some bold and hyperlinked runs,
    a table, soft breaks), and the paragraph texts python-docx reads back from it."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    for n, line in enumerate(make_compilation_text(seed, articles).split("\n")):
        if n % 97 == 5:
            document.add_table(rows=1, cols=1).cell(0, 0).text = "表格里的文字"
        if line.startswith(("市", "县", "区", "州", "省")) and len(line) < 40:
            document.add_heading(line, level=1)
        elif n % 11 == 3 and line:
            paragraph = document.add_paragraph()
            paragraph.add_run(line[:10]).bold = True
            paragraph.add_run(line[10:]).bold = True
        elif n % 13 == 4 and line:
            paragraph = document.add_paragraph(line[:5])
            run = paragraph.add_run(line[5:])
            run.add_break()
            run.add_text("换行之后")
            link = paragraph._p.makeelement(qn("w:hyperlink"), {})
            link.append(paragraph.add_run("链接文字")._r)
            paragraph._p.append(link)
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    return data, [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


class StreamingDocxTests(SimpleTestCase):
    def test_paragraphs_equal_what_python_docx_reads(self):
        data, expected = synthetic_docx()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts = [text for text, *_rest in docx_reader._paragraphs(archive, [10**9], "x")]
        self.assertEqual(texts, expected)
        parsed = parse_file(data, filename="合成.docx")
        self.assertEqual(len(parsed.articles), 30)

    def test_a_document_that_would_expand_past_the_limit_is_refused_before_it_is_read(self):
        data, _texts = synthetic_docx(articles=5)
        with mock.patch.object(docx_reader, "MAX_EXPANDED_BYTES", 20_000), \
                mock.patch.object(docx_reader, "_paragraphs") as read:
            with self.assertRaises(ImportRefused) as refused:
                docx_reader.docx_lines(Source(data, "大文件.docx"))
        read.assert_not_called()
        self.assertIn("解压后超过", str(refused.exception))
        self.assertIn("大文件.docx", str(refused.exception))

    def test_an_archive_expanding_past_what_it_declares_is_stopped_as_it_expands(self):
        member = io.BytesIO(b"<w:p/>" * 100_000)
        counted = io.BufferedReader(docx_reader._Counted(member, [50_000], "谎报.docx"))
        with self.assertRaises(ImportRefused) as refused:
            while counted.read(8192):
                pass
        self.assertIn("解压后超过", str(refused.exception))

    def test_a_zip_bomb_is_refused_quickly(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            with archive.open("word/document.xml", "w", force_zip64=True) as member:
                chunk = b" " * (1 << 20)
                for _ in range(200):  # 200 MB of spaces: ~200 KB compressed
                    member.write(chunk)
        with self.assertRaises(ImportRefused) as refused:
            parse_file(buffer.getvalue(), filename="炸弹.docx")
        self.assertIn("解压后超过", str(refused.exception))
