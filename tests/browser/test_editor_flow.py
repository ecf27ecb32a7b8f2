"""An editor's import in a real browser: upload, correct the preview, confirm; the database
holds exactly what the preview showed."""
import pytest

from articles.models import Article
from tests.factories import make_user
from tests.importer.helpers import STYLES

pytestmark = pytest.mark.browser
flow_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "编辑-密码-2024"


@flow_db
def test_an_edited_preview_is_what_the_import_writes(browser, live_server, screenshots, tmp_path,
                                                      settings):
    settings.HUIBIAN_IMPORT_STAGING = str(tmp_path)
    make_user("编辑丁", group="编辑", staff=True, password=PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "编辑丁")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/articles/compilation/import/")
    page.set_input_files("input[type=file]", str(STYLES))
    page.click("input[type=submit]")
    page.wait_for_selector("#import-confirm")
    page.fill("input[name=agency_0]", "省财政厅")
    page.fill("input[name=region_0]", "贵州省")
    page.fill("input[name=themes_1]", "党建、基层减负")
    page.check("input[name=drop][value='3']")
    page.uncheck("input[name=members_only][value='2']")
    page.screenshot(path=str(screenshots / "import-preview-edited.png"), full_page=True)
    page.click("#import-confirm input[type=submit]")
    page.wait_for_url("**/compilation/*/change/")
    assert errors == []
    articles = list(Article.objects.order_by("position"))
    assert [a.title[:6] for a in articles] == ["市财政局：“", "县委宣传部以", "区档案局“两"]
    assert articles[0].agency.name == "省财政厅"
    assert articles[0].agency.region.name == "贵州省"
    assert sorted(articles[1].themes.names()) == ["党建", "基层减负"]
    assert not articles[2].members_only
    page.close()
