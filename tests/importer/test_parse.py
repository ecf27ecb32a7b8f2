"""Parsing our own test documents: encodings, line ends, 目录, paid markers, heading styles,
codes, placeholders, advertising, .docx."""
from django.test import SimpleTestCase

from articles.importer import ImportRefused, parse_file, sections_from_text
from articles.importer.agencies import agency_at_start, find_agency, level_of, sector_of
from articles.importer.tags import title_initiatives

from .helpers import STYLES, make_docx, variants

TITLES = [
    "市财政局：“三个聚焦”推动预算绩效管理提质增效",
    "县委宣传部以“五个一”工程深化机关D建引领",
    "区档案局“两化”并进打造学习型机关",
    "用好“四张清单”压实全面从严治D责任",
]
VOCABULARY = {"党建": "党建", "学习型": "学习型机关", "志愿服务": "志愿服务", "作风": "作风建设"}


class EncodingTests(SimpleTestCase):
    def test_every_encoding_and_line_end_gives_the_same_result(self):
        reference = parse_file(STYLES, vocabulary=VOCABULARY).as_json()
        for name, data in variants().items():
            with self.subTest(encoding=name):
                parsed = parse_file(data, filename=f"{name}.txt", vocabulary=VOCABULARY)
                self.assertEqual(parsed.as_json(), reference)

    def test_full_width_indentation_is_not_kept_in_text(self):
        parsed = parse_file(variants()["fullwidth_indent"], filename="x.txt")
        for article in parsed.articles:
            self.assertNotIn("\u3000", article.original_text)


class StructureTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parsed = parse_file(STYLES, vocabulary=VOCABULARY)

    def test_title_count_and_toc_with_tab_and_dot_leaders(self):
        self.assertEqual(self.parsed.title, "关于机关作风建设经验做法材料汇编")
        self.assertEqual(self.parsed.declared_count, 5)
        self.assertEqual([(t.title, t.page) for t in self.parsed.toc], [
            (TITLES[0], 3), (TITLES[1], 6), (TITLES[2], 9), ("一篇目录里有而正文里没有的文章", 12),
        ])

    def test_articles_come_from_the_body_with_warnings_for_toc_and_count(self):
        self.assertEqual([a.title for a in self.parsed.articles], TITLES)
        toc_warning = next(w for w in self.parsed.warnings if w.startswith("目录"))
        self.assertIn(TITLES[3], toc_warning)
        self.assertIn("一篇目录里有而正文里没有的文章", toc_warning)
        self.assertIn("标题声明 5 篇，正文实有 4 篇", self.parsed.warnings)

    def test_only_articles_between_paid_markers_are_members_only(self):
        self.assertEqual([a.members_only for a in self.parsed.articles], [False, False, True, False])

    def test_heading_styles(self):
        headings = [a.headings for a in self.parsed.articles]
        self.assertEqual(headings[0][0], "（一）聚焦责任落实，建立全过程绩效链条")
        self.assertEqual(headings[1], ["第一，建好一个学习阵地", "第二，办好一个TD日品牌", "第三，带好一支志愿服务队"])
        self.assertEqual(headings[2], ["一是学习常态化", "二是管理制度化"])
        self.assertEqual(headings[3], ["以“责任清单”为牵引 明确各级主体责任", "以“问题清单”为导向 推动整改落地见效"])

    def test_inline_heading_keeps_its_text_as_first_paragraph(self):
        section = self.parsed.articles[2].sections[1]
        self.assertEqual(section["heading"], "一是学习常态化")
        self.assertTrue(section["paragraphs"][0].startswith("制定年度学习计划"))

    def test_lead_paragraph_is_a_section_without_heading(self):
        for article in self.parsed.articles:
            self.assertEqual(article.sections[0]["heading"], "")
            self.assertTrue(article.sections[0]["paragraphs"])

    def test_agencies_from_title_and_opening(self):
        self.assertEqual([a.agency for a in self.parsed.articles],
                         ["市财政局", "县委宣传部", "区档案局", "州生态环境局"])
        self.assertEqual(self.parsed.articles[3].agency_level, "州")
        self.assertEqual(self.parsed.articles[3].agency_sector, "生态环境")

    def test_title_slogans_are_initiatives_and_body_slogans_suggestions(self):
        self.assertEqual([a.initiatives for a in self.parsed.articles],
                         [["三个聚焦"], ["五个一"], ["两化"], ["四张清单"]])
        self.assertIn("一岗双责", self.parsed.articles[3].suggested_initiatives)

    def test_themes_come_from_the_vocabulary_after_restoring_codes(self):
        self.assertIn("党建", self.parsed.articles[1].themes)  # D建 ×2 → 党建
        self.assertIn("学习型机关", self.parsed.articles[2].themes)

    def test_codes_and_placeholders_stay_in_the_original(self):
        text = self.parsed.articles[1].original_text
        self.assertIn("TD日", text)
        self.assertIn("以T教育", text)
        self.assertIn("XX镇", text)
        self.assertIn("AAA公众号", self.parsed.articles[0].original_text)

    def test_advertising_is_dropped_with_a_warning(self):
        self.assertIn("已删除 2 行广告或联系方式（不属于正文）", self.parsed.warnings)
        for article in self.parsed.articles:
            self.assertNotIn("客服", article.original_text)
            self.assertNotIn("材料库", article.original_text)

    def test_sections_from_text_rederives_the_same_sections(self):
        for article in self.parsed.articles:
            self.assertEqual(sections_from_text(article.original_text), article.sections)


class DocxTests(SimpleTestCase):
    def test_heading_styles_mark_titles_and_sections(self):
        parsed = parse_file(make_docx(), filename="减负.docx")
        self.assertEqual(parsed.title, "关于基层减负工作材料汇编")
        self.assertEqual(parsed.declared_count, 2)
        self.assertEqual([t.page for t in parsed.toc], [2, 5])
        self.assertEqual([a.title for a in parsed.articles], [
            "市信访局：“三个到位”化解信访积案", "县统计局“四抓四促”提升统计数据质量"])
        self.assertEqual(parsed.articles[0].headings, ["一、领导包案到位", "二、沟通协调到位"])
        self.assertEqual(parsed.articles[1].agency, "县统计局")
        self.assertEqual(parsed.articles[0].initiatives, ["三个到位"])
        self.assertEqual(parsed.warnings, [])

    def test_bold_lines_are_headings(self):
        parsed = parse_file(make_docx(bold_headings=True), filename="减负.docx")
        self.assertEqual(parsed.articles[1].headings, ["抓学习促提升", "抓规范促质量"])

    def test_docx_without_styles_is_parsed_like_text(self):
        parsed = parse_file(make_docx(heading_styles=False), filename="减负.docx")
        self.assertEqual(len(parsed.articles), 2)
        self.assertEqual(parsed.articles[0].headings, ["一、领导包案到位", "二、沟通协调到位"])


class RuleTests(SimpleTestCase):
    def test_agency_names_level_and_sector(self):
        cases = {
            "市审计局：“三化”发力": ("市审计局", "市", "审计"),
            "县委组织部：“三个强化”扎实推进": ("县委组织部", "县", "组织"),
            "市委文明办：“三突出三强化”推动": ("市委文明办", "市", "文明办"),
            "州交通运输局聚焦“四个着力”": ("州交通运输局", "州", "交通运输"),
            "省直机关工委以“六型”机关建设为抓手": ("省直机关工委", "省", "机关党建"),
            # Below the county, and compound organs.
            "XX街道：“红色网格”激活基层治理": ("街道", "乡镇", ""),
            "街道党工委以“三联三促”凝聚合力": ("街道党工委", "乡镇", ""),
            "县纪委监委：“三个聚焦”做实日常监督": ("县纪委监委", "县", "纪检"),
            "镇D委以“马上就办”提升为民服务质效": ("镇D委", "乡镇", ""),
            "社区党委“四点聚力”推进共建共治": ("社区党委", "其他", ""),
            "村党支部“五个一”夯实基层基础": ("村党支部", "其他", ""),
            "镇人民政府推行“一窗通办”": ("镇人民政府", "乡镇", "政府"),
        }
        for title, (name, level, sector) in cases.items():
            with self.subTest(title=title):
                self.assertEqual(agency_at_start(title), name)
                self.assertEqual(level_of(name), level)
                self.assertEqual(sector_of(name), sector)

    def test_a_town_committee_named_only_in_the_opening(self):
        self.assertEqual(find_agency("以“红色网格”激活基层治理末梢",
                                     "近年来，XX镇D委坚持把网格化管理作为基层治理的重要抓手。"), "镇D委")

    def test_no_agency_in_whole_city_phrases(self):
        self.assertIsNone(find_agency("推动全市民政系统模范机关建设", "全市民政系统干部职工积极参与。"))

    def test_opening_gives_the_fuller_name(self):
        self.assertEqual(find_agency("审计局落实“四举措”", "今年以来，市审计局大力推进。"), "市审计局")

    def test_title_initiatives(self):
        self.assertEqual(title_initiatives("以“三突出三强化”推动“五型”机关建设"), ["三突出三强化", "五型"])
        self.assertEqual(title_initiatives("抓实六项工作措施深化模范机关创建"), ["六项工作措施"])
        # A quoted name is a work method or campaign, numbered or not.
        self.assertEqual(title_initiatives("落实“第一议题”制度"), ["第一议题"])
        for title, expected in (
            ("区政务服务局“马上就办”提升办事效率", ["马上就办"]),
            ("街道以“红色网格”激活基层治理末梢", ["红色网格"]),
            ("县财政局“以奖代补”撬动乡村建设", ["以奖代补"]),
            ("扎实开展“作风建设提升年”活动", ["作风建设提升年"]),
            ("市审计局：“三化”发力争创“五型”模范机关", ["三化", "五型"]),
            ("推动理论学习入“脑”入“心”", []),  # one quoted character: emphasis
            ("在“XX”平台开展学习", []),  # a placeholder
            ("“AAA”公众号上线", []),  # no Han character
            ("“学思想、强党性”主题活动", []),  # a quoted sentence, not a name
            ("关于“深入学习贯彻新时代中国特色社会主义思想”的材料", []),  # too long for a name
        ):
            with self.subTest(title=title):
                self.assertEqual(title_initiatives(title), expected)

    def test_a_quoted_theme_is_a_theme_not_an_initiative(self):
        parsed = parse_file("关于清廉机关建设材料汇编（1篇）\n\n\n市交通运输局打造“清廉机关”品牌\n\n"
                            "局D组深化清廉机关建设，开展廉政教育。\n".encode(), filename="a.txt")
        parsed.apply_vocabulary({"清廉机关": "清廉机关"})
        self.assertEqual(parsed.articles[0].themes, ["清廉机关"])
        self.assertEqual(parsed.articles[0].initiatives, [])


class RefusalTests(SimpleTestCase):
    def assertRefused(self, data, filename, fragment):
        with self.assertRaises(ImportRefused) as caught:
            parse_file(data, filename=filename)
        message = str(caught.exception)
        self.assertTrue(message.startswith(filename + "："), message)
        self.assertIn(fragment, message)
        self.assertNotIn("\n", message)

    def test_empty_file(self):
        self.assertRefused(b"", "empty.txt", "空")
        self.assertRefused("\u3000\n\n".encode(), "blank.txt", "空")

    def test_binary_file(self):
        self.assertRefused(bytes(range(256)) * 4, "image.png", "二进制")

    def test_no_title_or_article(self):
        self.assertRefused("只有一行标题\n".encode(), "one.txt", "文章")
        self.assertRefused(b"1234567 89\n", "digits.txt", "标题")

    def test_truncated_docx(self):
        self.assertRefused(make_docx()[:2000], "cut.docx", "损坏")

    def test_password_protected_docx(self):
        cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
        self.assertRefused(cfb, "secret.docx", "密码")

    def test_file_over_the_size_limit(self):
        with self.settings(HUIBIAN_IMPORT_MAX_BYTES=1000):
            self.assertRefused(STYLES.read_bytes(), "big.txt", "过大")

    def test_missing_path(self):
        with self.assertRaises(ImportRefused) as caught:
            parse_file("/nonexistent/汇编.txt")
        self.assertEqual(str(caught.exception), "/nonexistent/汇编.txt：文件不存在")


class InlineHeadingTests(SimpleTestCase):
    """一、heading。text on one line, and 1. numbered headings; a file without a 目录."""

    def test_inline_and_arabic_numbered_headings(self):
        from .helpers import FIXTURES

        parsed = parse_file(FIXTURES / "importer_inline_headings.txt")
        self.assertEqual(parsed.toc, [])
        self.assertEqual(parsed.warnings, [])
        first, second = parsed.articles
        self.assertEqual(first.headings, ["一、建立一张联系卡", "二、用好一个服务群", "三、办好一场对接会"])
        self.assertEqual(first.sections[1]["paragraphs"],
                         ["局班子成员每人联系重点企业5家，定期上门走访，现场协调解决用工、物流等问题。"])
        self.assertEqual(second.headings, ["1. 整合窗口资源", "2. 压缩办理时限"])
        self.assertEqual((first.agency, second.agency), ("市商务局", "县行政审批局"))
        self.assertEqual(second.initiatives, ["一窗通办"])


class BylineTests(SimpleTestCase):
    DOC = (
        "关于河湖管护工作材料汇编（2篇）\n\n\n"
        "市水务局：“两个强化”守护河湖安全\n\n——XX市水务局\n\n"
        "今年以来，市水务局强化巡查、强化执法，河湖面貌持续改善。\n"
        "一、强化巡查。建立河湖巡查制度，做到问题早发现。\n二、强化执法。开展联合执法行动，形成有力震慑。\n\n\n\n"
        "做好“三篇文章”推进节水型机关建设\n\n县水务局\n\n"
        "近年来，县水务局围绕节水型机关建设做好三篇文章，取得明显成效。\n"
        "一是做好宣传文章。开展节水宣传进机关活动。\n二是做好改造文章。更换节水器具120套。\n"
    )

    def test_a_byline_under_the_title_is_body_text_not_a_title_or_heading(self):
        parsed = parse_file(self.DOC.encode(), filename="管护.txt")
        self.assertEqual([a.title for a in parsed.articles],
                         ["市水务局：“两个强化”守护河湖安全", "做好“三篇文章”推进节水型机关建设"])
        self.assertEqual(parsed.articles[0].headings, ["一、强化巡查", "二、强化执法"])
        self.assertEqual(parsed.articles[1].sections[0]["paragraphs"][0], "县水务局")
        self.assertEqual(parsed.articles[1].agency, "县水务局")


class LargeDocumentTests(SimpleTestCase):
    def test_warnings_stay_one_line_when_many_titles_differ(self):
        from articles.importer.synthetic import make_compilation_text

        text = make_compilation_text(7, 40)
        head, body = text.split("\n\n\n", 1)
        toc_lines = [line for line in head.split("\n") if "\t" in line]
        # A 目录 whose last 15 entries have been renamed: 15 titles missing on each side.
        renamed = head
        for line in toc_lines[-15:]:
            renamed = renamed.replace(line, "改名" + line)
        parsed = parse_file((renamed + "\n\n\n" + body).encode(), filename="大.txt")
        self.assertEqual(len(parsed.articles), 40)
        warning = next(w for w in parsed.warnings if w.startswith("目录"))
        self.assertIn("等 15 篇", warning)
        self.assertNotIn("\n", warning)
