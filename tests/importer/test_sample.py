"""The real sample in ../shared/samples/ (skipped when absent): what the issue requires."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from articles.importer import import_compilation, parse_file
from articles.models import Article, Compilation

pytestmark = pytest.mark.django_db

EXPECTED_TITLES = [
    "审计局落实“四举措”推进清廉模范机关建设",
    "市民政局“四点聚力”推动全市民政系统模范机关建设提质增效",
    "市审计局：“三化”发力争创“五型”模范机关",
    "市审计局聚焦“四个着力”深入打造模范机关",
    "市委文明办：“三突出三强化”推动机关D建提质增效",
    "县委组织部：“三个强化”扎实推进模范机关建设",
    "以T教育深化“六型”模范机关建设",
    "抓实六项工作措施深化模范机关创建凝心聚力建设人民满意交通",
]
EXPECTED_PAGES = [5, 10, 13, 15, 17, 20, 32]
EXPECTED_INITIATIVES = [
    ["四举措"], ["四点聚力"], ["三化", "五型"], ["四个着力"], ["三突出三强化"], ["三个强化"],
    ["六型"], ["六项工作措施"],
]
EXPECTED_AGENCIES = ["市审计局", "市民政局", "市审计局", "市审计局", "市委文明办", "县委组织部",
                     "省直机关", "州交通运输局"]


@pytest.fixture
def parsed(sample_path):
    return parse_file(sample_path)


def test_sample_has_eight_articles_with_exact_titles(parsed):
    assert [a.title for a in parsed.articles] == EXPECTED_TITLES


def test_sample_toc_has_seven_entries_with_pages(parsed):
    assert len(parsed.toc) == 7
    assert [item.page for item in parsed.toc] == EXPECTED_PAGES
    assert [item.title for item in parsed.toc] == EXPECTED_TITLES[1:]


def test_sample_toc_warning_names_the_difference(parsed):
    toc_warnings = [w for w in parsed.warnings if "目录" in w]
    assert len(toc_warnings) == 1
    assert "7" in toc_warnings[0] and "8" in toc_warnings[0]
    assert EXPECTED_TITLES[0] in toc_warnings[0]
    assert not any("声明" in w for w in parsed.warnings)  # （8篇） matches the body


def test_sample_title_and_declared_count(parsed):
    assert parsed.title == "关于模范机关建设材料汇编"
    assert parsed.declared_count == 8


def test_sample_paid_part_is_members_only(parsed):
    assert all(a.members_only for a in parsed.articles)


def test_sample_agencies_initiatives_and_headings(parsed):
    assert [a.agency for a in parsed.articles] == EXPECTED_AGENCIES
    assert [a.initiatives for a in parsed.articles] == EXPECTED_INITIATIVES
    for article in parsed.articles:
        assert len(article.headings) >= 3, article.title
    assert parsed.articles[1].headings[0] == "以“强化政治建设”为切入点 擦亮模范机关政治底色"
    assert parsed.articles[2].headings[0] == "一、内化于心，铸审计精神之魂"
    assert parsed.articles[3].headings[0] == "一是着力提升D的集中统一领导"


def test_sample_drops_advertising(parsed):
    assert any("3 行广告" in w for w in parsed.warnings)
    for article in parsed.articles:
        for word in ("哒哒", "素材库", "客服", "代笔"):
            assert word not in article.original_text, (word, article.title)


def test_sample_json_shape(sample_path):
    out = StringIO()
    call_command("import_compilation", str(sample_path), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"title", "declared_count", "toc", "articles", "warnings"}
    assert set(data["articles"][0]) == {
        "title", "agency", "region", "initiatives", "themes", "headings", "members_only",
        "chars"}
    # The sample names no place for its agencies (市审计局, 州交通运输局 …): none is guessed.
    assert [a["region"] for a in data["articles"]] == [None] * len(data["articles"])
    assert data["toc"][0] == {"title": EXPECTED_TITLES[1], "page": 5}
    assert "清廉机关" in data["articles"][0]["themes"]
    assert Compilation.objects.count() == 0


def test_sample_import_restores_codes_for_display_and_keeps_original(sample_path):
    result = import_compilation(sample_path)
    assert result.created == 8
    article = Article.objects.get(compilation=result.compilation, position=1)
    assert "D建" in article.original_text and "D建" not in article.text
    assert "党建" in article.text
    assert "APP" in article.text  # 学习强国APP is no code
    seventh = Article.objects.get(compilation=result.compilation, position=7)
    assert seventh.display_title == "以主题教育深化“六型”模范机关建设"
    assert seventh.title == "以T教育深化“六型”模范机关建设"
    assert Article.objects.search("党建").filter(pk=article.pk).exists()
    again = import_compilation(sample_path)
    assert again.status == "unchanged" and again.created == 0
