"""A reader's way through the site in a real browser, on a phone (375 px) and a desktop
(1280 px): home → two facets → article → original text → .docx download → the whole
compilation's .docx → a members-only article → member login.

At every step: no console error, no uncaught exception, nothing wider than the viewport.
"""
import re

import docx
import pytest

from tests.exports.utils import SECRET, make_members_article, make_public_article
from tests.factories import make_agency, make_article, make_compilation, make_user

pytestmark = pytest.mark.browser
# Committed rows, so the live server's thread sees them; serialized_rollback restores the
# groups migration 0002 created once the test's flush has emptied the tables.
flow_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PUBLIC_TITLE = "县交通运输局：以党建引领打造“XX交通”品牌"
MEMBERS_TITLE = "市审计局“四个着力”推进清廉机关建设"
PASSWORD = "会员-密码-2024"

# Elements wider than the viewport, unless a scrolling or clipping ancestor contains them.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o !== "visible") return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > width + 1 || r.left < -1) && !clipped(el)) {
      wide.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") +
                " " + Math.round(r.left) + "–" + Math.round(r.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide: wide};
}"""


@pytest.fixture
def library(transactional_db):
    """Two city-level 党建 articles (one members-only), a county one on 作风建设, a member."""
    city = make_agency(name="市审计局", level="市", sector="审计")
    county = make_agency(name="县交通运输局", level="县", sector="交通运输")
    compilation = make_compilation(title="关于党建引领模范机关建设材料汇编（3篇）")
    make_public_article(
        compilation=compilation, position=1, agency=city, themes=["党建", "清廉机关"],
        initiatives=["三突出三强化"],
    )
    make_members_article(
        compilation=compilation, position=2, agency=city, themes=["党建"], title=MEMBERS_TITLE
    )
    make_article(
        compilation=compilation, position=3, agency=county, themes=["作风建设"],
        title="县交通运输局“三个强化”推进作风建设",
    )
    make_user("会员小李", group="会员", password=PASSWORD)


class Checks:
    """Collects console errors and page errors, and checks layout at each step."""

    def __init__(self, page, width, shots):
        self.page, self.width, self.shots, self.errors = page, width, shots, []
        page.on("console", lambda m: self.errors.append(f"console: {m.text} {m.location}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def step(self, name):
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=self.shots / f"{self.width}px-{name}.png", full_page=True)
        layout = self.page.evaluate(OVERFLOW_JS)
        assert layout["scrollWidth"] <= layout["clientWidth"], (name, layout)
        assert not layout["wide"], (name, layout["wide"][:5])
        assert not self.errors, (name, self.errors)


@flow_db
@pytest.mark.parametrize("width", [375, 1280])
def test_reader_flow(browser, live_server, library, screenshots, tmp_path, width):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)  # a shared CI machine can be slow
    checks = Checks(page, width, screenshots)
    try:
        page.goto(live_server.url + "/")
        checks.step("1-home")

        # First facet from the home page (agency level), second from the list's sidebar.
        page.get_by_role("region", name="按机关层级").get_by_role(
            "link", name=re.compile(r"^市\s")
        ).click()
        page.wait_for_url(re.compile(r"level="))
        facets = page.get_by_role("complementary", name="筛选")
        theme_link = facets.get_by_role("region", name="主题").get_by_role(
            "link", name=re.compile(r"^党建\s")
        )
        if not theme_link.is_visible():  # phones get the facets folded under 筛选
            facets.locator("summary").first.click()
        theme_link.click()
        page.wait_for_url(re.compile(r"theme="))
        assert re.search(r"level=", page.url)
        results = page.get_by_role("region", name="文章列表")
        assert results.get_by_role("link", name=PUBLIC_TITLE).is_visible()
        assert results.get_by_role("link", name="县交通运输局“三个强化”推进作风建设").count() == 0
        checks.step("2-two-facets")

        results.get_by_role("link", name=PUBLIC_TITLE).click()
        page.get_by_role("heading", level=1, name=PUBLIC_TITLE).wait_for()
        assert page.get_by_text("XX县交通运输局坚持以党建引领业务发展").is_visible()
        checks.step("3-article")

        page.get_by_role("button", name="查看原文（导入时）").click()
        original = page.locator('[data-text="original"]')
        original.get_by_text("坚持以D建引领业务发展").wait_for()
        assert page.locator('[data-text="restored"]').is_hidden()
        checks.step("4-original-text")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="下载 Word").click()
        download = download_info.value
        assert download.suggested_filename == f"{PUBLIC_TITLE}.docx"
        saved = tmp_path / "article.docx"
        download.save_as(saved)
        document = docx.Document(saved)
        assert document.paragraphs[0].text == PUBLIC_TITLE
        assert document.paragraphs[0].style.name == "Title"

        # The whole compilation: a table of contents, and no members-only text for anonymous.
        page.get_by_role("navigation", name="位置").get_by_role(
            "link", name="关于党建引领模范机关建设材料汇编（3篇）"
        ).click()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="下载整部汇编（Word）").click()
        saved = tmp_path / "compilation.docx"
        download_info.value.save_as(saved)
        document = docx.Document(saved)
        titles = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        assert titles[:2] == [PUBLIC_TITLE, MEMBERS_TITLE]
        assert SECRET not in "\n".join(p.text for p in document.paragraphs)
        checks.step("5-compilation")

        # A members-only article: teaser and login link for the anonymous reader …
        page.goto(live_server.url + "/")
        page.get_by_role("link", name=MEMBERS_TITLE).first.click()
        page.get_by_role("heading", level=1, name=MEMBERS_TITLE).wait_for()
        assert page.get_by_text(SECRET).count() == 0
        assert SECRET not in page.content()
        checks.step("6-members-only-teaser")

        # … and the whole text once signed in as a member, back on the same page.
        page.get_by_role("note").get_by_role("link", name="会员登录").click()
        page.get_by_label("用户名").fill("会员小李")
        page.get_by_label("密码").fill(PASSWORD)
        checks.step("7-login")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", level=1, name=MEMBERS_TITLE).wait_for()
        assert page.locator('[data-text="restored"]').get_by_text(SECRET).is_visible()
        checks.step("8-member-reads-all")
    except Exception:
        page.screenshot(path=screenshots / f"{width}px-failure.png", full_page=True)
        raise
    finally:
        context.close()


def test_checks_catch_overflow_and_script_errors(browser, screenshots):
    """The layout and console checks above can fail: a too-wide block and a thrown error."""
    page = browser.new_page(viewport={"width": 375, "height": 600})
    try:
        checks = Checks(page, 375, screenshots)
        page.set_content(
            '<main><p style="width:600px">过宽的段落</p><div style="overflow-x:auto">'
            '<table style="width:900px"><tr><td>可横向滚动的表格</td></tr></table></div></main>'
            '<script>throw new Error("故意的错误")</script>'
        )
        layout = page.evaluate(OVERFLOW_JS)
        assert layout["scrollWidth"] > layout["clientWidth"]
        assert [w.split()[0] for w in layout["wide"]] == ["p"]  # the scrolling table is fine
        assert any("故意的错误" in e for e in checks.errors)
    finally:
        page.close()
