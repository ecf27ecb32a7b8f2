"""The writer's workbench in a real browser, on a phone (375 px) and a desktop (1280 px): a
reader signs in, searches, 收藏 two results into a new folder from their cards, 摘抄 a
paragraph of article A and one of B, selects part of a paragraph of C and clips the
selection, creates a draft on /workbench/, adds an own heading and the three clips,
reorders them (上移/下移 buttons, Alt+↓ on a focused item, drag and drop by the handle) and
downloads the .docx, whose body and footnotes hold the clips and their sources in the final
order.

At every step: no console error, no uncaught exception, no Content-Security-Policy violation,
nothing wider than the viewport.
"""
import re
import time

import docx
import pytest
from playwright.sync_api import expect

from articles.exports.drafts import footnotes_of
from articles.workbench.models import Clip, Draft, FolderItem
from articles.workbench.sources import article_source_line
from tests.browser.test_reader_flow import Checks
from tests.browser.test_security_policy import WATCH
from tests.factories import make_agency, make_article, make_compilation, make_user

pytestmark = pytest.mark.browser

PASSWORD = "读者-密码-2024"
QUERY = "清廉机关"
HEADING = "一、主要做法"
PART = "一岗一清单、一事一督办"
TEXTS = {
    "A": "市审计局把清廉机关建设纳入党组年度重点工作，逐项明确责任清单和完成时限。",
    "B": "县民政局建立清廉机关建设任务台账，每月通报进度，对滞后事项挂牌督办。",
    "C": "市税务局推行一岗一清单、一事一督办，把清廉机关建设要求落实到每个岗位。",
}
TITLES = {
    "A": "市审计局：以清廉机关建设推动审计监督提质增效",
    "B": "县民政局：清单化推进清廉机关建设",
    "C": "市税务局：打造清廉机关建设“四个一”品牌",
}


@pytest.fixture
def library(seeded_transactional_db):
    """Three public articles on 清廉机关 by three agencies, and a reader who is no member.
    In each, block 1 is the heading and block 2 the paragraph in ``TEXTS``."""
    compilation = make_compilation(title="关于清廉机关建设材料汇编（3篇）")
    articles = {}
    for key, agency in (("A", "市审计局"), ("B", "县民政局"), ("C", "市税务局")):
        paragraphs = [TEXTS[key], f"{agency}还把清廉机关建设与业务工作同部署、同检查。"]
        articles[key] = make_article(
            compilation=compilation, agency=make_agency(name=agency), title=TITLES[key],
            sections=[{"heading": "一、强化责任落实", "paragraphs": paragraphs}],
            original_text="\n".join(["一、强化责任落实", *paragraphs]),
        )
    reader = make_user("读者小王", password=PASSWORD)
    return articles, reader


class WorkbenchChecks(Checks):
    """The reader flow's checks (console errors, page errors, layout), and no
    Content-Security-Policy violation either."""

    def step(self, name):
        super().step(name)
        violations = self.page.evaluate("window.__violations || []")
        assert violations == [], (name, violations)


def new_window(browser, live_server, width):
    """A browser window of ``width`` that may read the clipboard and records CSP violations,
    and its page (confirm dialogs accepted). Reduced motion turns off the site's smooth
    scrolling, which would move the page under a drag while Playwright aims at it."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN",
                                  accept_downloads=True, reduced_motion="reduce")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def status(page):
    return page.locator("[data-wb-status]")


def clip_paragraph(page, n, width):
    """摘抄 on block ``n``: a phone opens the block's ⋯ tools first; a desktop hovers."""
    if width < 760:
        page.get_by_role("button", name=f"第 {n} 段的工具").click()
    page.get_by_role("button", name=f"摘抄（第 {n} 段）").click()


def select_in_block(page, n, needle):
    """Select ``needle`` inside block ``n`` with a DOM Range, as a mouse drag would."""
    page.evaluate(
        """([n, needle]) => {
          const block = document.querySelector(`[data-block="${n}"]`);
          const text = block.firstChild;
          const start = text.data.indexOf(needle);
          const range = document.createRange();
          range.setStart(text, start);
          range.setEnd(text, start + needle.length);
          const selection = document.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }""",
        [n, needle],
    )


def outline(page):
    """The draft's outline as shown: each item's text."""
    return page.locator("[data-draft-items] > li [data-text]").all_inner_texts()


def saved_order(page, action):
    """Do ``action`` and wait until the new order is saved."""
    with page.expect_response(lambda r: r.url.endswith("/order/") and r.status == 200):
        action()


@pytest.mark.parametrize("width", [375, 1280])
def test_workbench_flow(browser, live_server, library, screenshots, tmp_path, width):
    started = time.monotonic()
    articles = library[0]
    context, page = new_window(browser, live_server, width)
    checks = WorkbenchChecks(page, width, screenshots)
    url = live_server.url
    try:
        # Sign in through the real login page, then search on the search page.
        page.goto(f"{url}/accounts/login/?next=/search/")
        page.get_by_label("用户名").fill("读者小王")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", level=1, name="搜索").wait_for()
        page.get_by_label("关键词").fill(QUERY)
        page.locator(".big-search").get_by_role("button", name="搜索").click()
        page.wait_for_url(re.compile(r"q="))
        results = page.get_by_role("region", name="搜索结果")
        expect(results.get_by_role("link", name=re.compile("导出前 200 条结果"))).to_have_count(2)
        results.get_by_role("button", name="关注此检索").click()
        expect(status(page)).to_have_text(f"已关注「{QUERY}」，新文章会在工作台提示。")
        checks.step("wb-1-search")
        page.get_by_role("button", name="关闭提示").click()  # it would cover a card on a phone

        # 收藏 from the cards: a new folder for A, the same folder for B.
        def card(key):
            return results.locator("li.card", has=page.get_by_role("link", name=TITLES[key]))

        card("A").get_by_role("button", name=re.compile("^收藏")).click()
        card("A").get_by_label("新建收藏夹").fill("清廉机关材料")
        checks.step("wb-2-folder-menu")
        card("A").get_by_role("button", name="新建并收藏").click()
        expect(status(page)).to_have_text("已收藏到「清廉机关材料」。")
        card("B").get_by_role("button", name=re.compile("^收藏")).click()
        card("B").get_by_role("button", name=re.compile("^清廉机关材料")).click()
        expect(card("B").locator(".folder-button")).to_have_text("已收藏")
        expect(status(page)).to_have_text("已收藏到「清廉机关材料」。")
        assert sorted(FolderItem.objects.values_list("article__title", flat=True)) == sorted(
            [TITLES["A"], TITLES["B"]])
        checks.step("wb-3-collected")

        # 摘抄 a whole paragraph of A and of B; 复制（带出处） puts text and source together.
        page.goto(f"{url}{articles['A'].get_absolute_url()}")
        clip_paragraph(page, 2, width)
        expect(status(page)).to_have_text("已摘抄第 2 段。")
        page.get_by_role("button", name="复制（带出处）（第 2 段）").click()
        expect(status(page)).to_have_text("已复制，并附上出处。")
        assert page.evaluate("navigator.clipboard.readText()") == (
            f"{TEXTS['A']}\n{article_source_line(articles['A'])}")
        checks.step("wb-4-clipped-a")

        page.goto(f"{url}{articles['B'].get_absolute_url()}")
        clip_paragraph(page, 2, width)
        expect(status(page)).to_have_text("已摘抄第 2 段。")

        # In C, only a selected part of the paragraph.
        page.goto(f"{url}{articles['C'].get_absolute_url()}")
        select_in_block(page, 2, PART)
        page.get_by_role("button", name="摘抄所选").click()
        expect(status(page)).to_have_text(f"已摘抄所选的 {len(PART)} 个字。")
        checks.step("wb-5-clipped-selection")
        part = Clip.objects.get(article=articles["C"])
        assert (part.text, part.start) == (PART, TEXTS["C"].index(PART))

        # A draft from /workbench/, an own heading, then the three clips from the list.
        page.get_by_role("link", name="我的工作台").click()
        expect(page.get_by_role("region", name="关注").get_by_role("link", name=QUERY)).to_be_visible()
        checks.step("wb-6-workbench")
        page.get_by_label("新建组稿").fill("关于清廉机关建设的调研报告")
        page.get_by_role("button", name="新建并打开").click()
        page.get_by_role("heading", level=1, name="关于清廉机关建设的调研报告").wait_for()
        page.get_by_label("自己的小标题").fill(HEADING)
        page.get_by_role("button", name="添加小标题").click()
        expect(status(page)).to_have_text("已添加为第 1 项。")
        recent = page.locator(".recent-clips")
        for n, key in enumerate("ABC", start=2):
            recent.locator("li", has_text=TITLES[key]).get_by_role(
                "button", name=re.compile("^加入")).click()
            expect(status(page)).to_have_text(f"已添加为第 {n} 项。")
        assert outline(page) == [HEADING, TEXTS["A"], TEXTS["B"], PART]
        checks.step("wb-7-draft")

        # Reorder: A 下移 by its button, then Alt+↓ on the focused item …
        items = page.locator("[data-draft-items] > li")

        def item(text):
            return items.filter(has_text=text)

        down = item(TEXTS["A"]).get_by_role("button", name="下移")
        saved_order(page, down.click)
        expect(status(page)).to_have_text("已移到第 3 项。")
        assert outline(page) == [HEADING, TEXTS["B"], TEXTS["A"], PART]
        expect(down).to_be_focused()
        item(TEXTS["A"]).focus()
        saved_order(page, lambda: page.keyboard.press("Alt+ArrowDown"))
        expect(status(page)).to_have_text("已移到第 4 项。")
        expect(item(TEXTS["A"])).to_be_focused()
        assert outline(page) == [HEADING, TEXTS["B"], PART, TEXTS["A"]]

        # … and C dragged by its handle above B.
        handle = item(PART).locator("[data-drag-handle]")
        saved_order(page, lambda: handle.drag_to(item(TEXTS["B"]),
                                                 target_position={"x": 30, "y": 4}))
        expect(status(page)).to_have_text("已移到第 2 项。")
        final = [HEADING, PART, TEXTS["B"], TEXTS["A"]]
        assert outline(page) == final
        page.reload()
        assert outline(page) == final  # saved, not only moved on the page
        checks.step("wb-8-reordered")

        # The .docx: the body in the final order, a footnote with each clip's source.
        with page.expect_download() as download_info:
            page.get_by_role("link", name="下载 Word（出处为脚注）").click()
        download = download_info.value
        assert download.suggested_filename == "关于清廉机关建设的调研报告.docx"
        saved = tmp_path / "draft.docx"
        download.save_as(saved)
        data = saved.read_bytes()
        body = [p.text for p in docx.Document(saved).paragraphs if p.text.strip()]
        positions = [next(i for i, text in enumerate(body) if wanted in text) for wanted in final]
        assert positions == sorted(positions), body
        assert footnotes_of(data) == [article_source_line(articles[key]) for key in "CBA"]
        assert Draft.objects.get().items.count() == 4
        checks.step("wb-9-downloaded")
    except Exception:
        page.screenshot(path=screenshots / f"{width}px-workbench-failure.png", full_page=True)
        raise
    finally:
        context.close()
    print(f"workbench flow at {width} px: {time.monotonic() - started:.1f} s")


def sign_in(context, live_server, user):
    """The browser carries a session of ``user`` (the login page is tested above)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])


@pytest.fixture
def workbench(library):
    """The reader's workbench already holding a folder of A and B, a clip of each of A, B
    and C, a draft with an own heading, and a follow of a search."""
    from articles.workbench import services

    articles, reader = library
    folder = services.folder_create(owner=reader, name="清廉机关材料")
    for key in "AB":
        services.folder_add_article(folder=folder, user=reader, article_id=articles[key].pk)
    clips = {key: services.clip_create(owner=reader, article_id=articles[key].pk, paragraph=2)
             for key in "ABC"}
    draft = services.draft_create(owner=reader, title="调研报告")
    services.draft_add_item(draft=draft, owner=reader, heading="一、主要做法")
    follow = services.follow_create(owner=reader, params={"q": QUERY})
    return {"articles": articles, "reader": reader, "folder": folder, "clips": clips,
            "draft": draft, "follow": follow}


@pytest.mark.parametrize("width", [375, 1280])
def test_workbench_pages(browser, live_server, workbench, screenshots, tmp_path, width):
    """The controls of the folder, clips, overview and draft pages, the 关注 button of an
    agency page, a clip offered to a draft, and 摘抄 sending a signed-out reader to log in."""
    from articles.workbench.models import DraftItem, Folder, Follow

    articles, folder = workbench["articles"], workbench["folder"]
    context, page = new_window(browser, live_server, width)
    checks = WorkbenchChecks(page, width, screenshots)
    url = live_server.url
    try:
        # Signed out, 摘抄 leads to the login page and back to the paragraph.
        page.goto(f"{url}{articles['A'].get_absolute_url()}")
        clip_paragraph(page, 2, width)
        page.wait_for_url(re.compile(r"/accounts/login/\?next="))
        assert page.evaluate("new URLSearchParams(location.search).get('next')") == (
            f"{articles['A'].get_absolute_url()}#p2")
        sign_in(context, live_server, workbench["reader"])

        # A folder: download the selected article, rename, take one out.
        page.goto(f"{url}/workbench/folders/{folder.pk}/")
        rows = page.locator("[data-folder-article]")
        expect(rows).to_have_count(2)
        page.get_by_label(f"选择《{TITLES['A']}》").check()
        expect(page.locator("[data-selected-count]")).to_have_text("已选 1 篇")
        checks.step("pages-1-folder")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="下载所选 TXT").click()
        text = (download_info.value.path()).read_text(encoding="utf-8-sig")
        assert TITLES["A"] in text and TITLES["B"] not in text
        page.get_by_label("全选").check()
        expect(page.locator("[data-choose]:checked")).to_have_count(2)
        page.get_by_label("全选").uncheck()
        page.get_by_label(f"选择《{TITLES['B']}》").check()
        page.get_by_role("button", name="移出收藏夹").click()
        expect(rows).to_have_count(1)
        expect(page.locator("[data-folder-count]")).to_have_text("共 1 篇")
        page.get_by_role("button", name="重命名").click()
        page.get_by_label("收藏夹名称").fill("清廉机关（精选）")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("清廉机关（精选）")
        expect(page.get_by_role("button", name="重命名")).to_be_focused()
        assert Folder.objects.get().name == "清廉机关（精选）"
        assert list(Folder.objects.get().items.values_list("article", flat=True)) == [
            articles["A"].pk]

        # The clips: note and tags, 加入组稿, copy, a filter by agency, delete.
        page.goto(f"{url}/workbench/clips/")
        clip = page.locator("[data-clip]", has_text=TEXTS["B"])
        clip.get_by_role("button", name="编辑笔记和标签").click()
        clip.get_by_label("笔记").fill("可用于第二部分")
        clip.get_by_label("标签（用顿号或逗号分隔）").fill("台账，督办")
        clip.get_by_role("button", name="保存").click()
        expect(clip.locator("[data-tag-list] a")).to_have_text(["台账", "督办"])
        expect(clip.locator("[data-note]")).to_have_text("可用于第二部分")
        clip.get_by_role("button", name="加入组稿").click()
        expect(status(page)).to_have_text("已加入组稿「调研报告」。")
        clip.get_by_role("button", name="复制（带出处）").click()
        expect(status(page)).to_have_text("已复制，并附上出处。")
        assert page.evaluate("navigator.clipboard.readText()") == (
            f"{TEXTS['B']}\n{article_source_line(articles['B'])}")
        checks.step("pages-2-clips")
        page.get_by_label("机关").select_option(label="市税务局（1）")
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("[data-clip]")).to_have_count(1)
        page.locator("[data-clip]").get_by_role("button", name="删除").click()
        expect(page.locator("[data-clip]")).to_have_count(0)
        assert not Clip.objects.filter(article=articles["C"]).exists()
        assert Clip.objects.get(article=articles["B"]).tags == "台账、督办"

        # 关注: an agency page's button; on the overview, digest, a new address, unfollow.
        page.goto(f"{url}{articles['A'].agency.get_absolute_url()}")
        page.get_by_role("button", name="关注").click()
        expect(status(page)).to_have_text("已关注「市审计局」，新文章会在工作台提示。")
        page.goto(f"{url}/workbench/")
        follow = page.locator("[data-follow]", has=page.get_by_role("link", name=QUERY))
        follow.get_by_label("每日邮件摘要").check()
        expect(status(page)).to_have_text("已开启每日邮件摘要。")
        feed = follow.locator("[data-feed-url]")
        old = feed.input_value()
        follow.get_by_role("button", name="更换订阅地址").click()
        expect(feed).not_to_have_value(old)
        assert feed.input_value().endswith(f"/feeds/follow/{Follow.objects.get(kind='search').token}/")
        assert Follow.objects.get(kind="search").digest is True
        checks.step("pages-3-follows")
        follow.get_by_role("button", name="取消关注").click()
        expect(follow).to_have_count(0)
        assert list(Follow.objects.values_list("kind", flat=True)) == ["agency"]

        # A clip made on an article page offered to the reader's draft, there and then.
        page.goto(f"{url}{articles['C'].get_absolute_url()}")
        clip_paragraph(page, 3, width)
        expect(status(page)).to_have_text("已摘抄第 3 段。")
        expect(page.get_by_label("选择组稿")).to_be_focused()
        page.get_by_role("button", name="加入组稿").click()
        expect(status(page)).to_have_text("已加入组稿「调研报告」。")
        checks.step("pages-4-clip-to-draft")

        # The draft: its own heading edited, one item deleted.
        page.goto(f"{url}/workbench/drafts/{workbench['draft'].pk}/")
        expect(page.locator("[data-draft-items] > li")).to_have_count(3)
        heading = page.locator("[data-draft-items] > li").first
        heading.get_by_role("button", name="编辑").click()
        heading.get_by_label("小标题").fill("一、主要做法和成效")
        heading.get_by_role("button", name="保存").click()
        expect(heading.locator("[data-text]")).to_have_text("一、主要做法和成效")
        page.locator("[data-draft-items] > li").last.get_by_role("button", name="删除").click()
        expect(page.locator("[data-draft-items] > li")).to_have_count(2)
        checks.step("pages-5-draft")
        assert list(DraftItem.objects.order_by("position").values_list("text", flat=True)) == [
            "一、主要做法和成效", TEXTS["B"]]
    except Exception:
        page.screenshot(path=screenshots / f"{width}px-workbench-pages-failure.png",
                        full_page=True)
        raise
    finally:
        context.close()
