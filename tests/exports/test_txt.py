"""The .txt exports: UTF-8 with BOM and CRLF, restored text, placeholders as written."""
from django.contrib.auth.models import AnonymousUser
from django.test import TestCase

from articles.exports import article_content, compilation_contents
from articles.exports.txt import article_txt, compilation_txt

from .utils import SECRET, make_library


class TxtExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation, cls.public, cls.members, cls.draft = make_library()

    def test_article_is_utf8_with_title_agency_source_headings_and_indented_paragraphs(self):
        data = article_txt(article_content(self.public, AnonymousUser()))
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))
        lines = data.decode("utf-8-sig").split("\r\n")
        self.assertEqual(lines[:4], [
            "县交通运输局：以党建引领打造“XX交通”品牌",
            "县交通运输局",
            "来源：《关于党建引领模范机关建设材料汇编（3篇）》（2023年）",
            "",
        ])
        self.assertTrue(lines[4].startswith("\u3000\u3000今年以来，XX县交通运输局坚持以党建引领"))
        self.assertIn("一、聚焦政治建设，筑牢思想根基", lines)
        self.assertIn("（一）抓实理论学习", lines)
        self.assertIn("以“优化营商环境”为着力点", lines)
        self.assertIn("打造服务型机关", lines)
        self.assertIn("\u3000\u3000局党组坚持“第一议题”制度，全年讲党课12次，组织党员干部集中学习36次。",
                      lines)

    def test_compilation_lists_its_articles_and_gives_anonymous_readers_only_teasers(self):
        text = compilation_txt(
            "关于党建引领模范机关建设材料汇编（3篇）",
            compilation_contents(self.compilation, AnonymousUser()),
        ).decode("utf-8-sig")
        lines = text.split("\r\n")
        toc = lines.index("目录")
        self.assertEqual(lines[toc + 1:toc + 3], [
            "1. 县交通运输局：以党建引领打造“XX交通”品牌",
            "2. 市审计局“四个着力”推进清廉机关建设",
        ])
        self.assertNotIn(SECRET, text)
        self.assertNotIn("草稿：尚未审定的经验材料", text)
        self.assertIn("本文仅对会员开放", text)
        self.assertIn("今年以来，XX市审计局紧紧围绕模范机关建设目标，把党建工作", text)
