"""A large import in a real browser: the upload answers with the job's progress page, whose
script (static/js/import_job.js, within the Content-Security-Policy) polls the job while a
real worker runs it, and turns into the editable preview, then, after the confirm, into the
compilation."""
import pytest

from articles.importer.synthetic import make_compilation_text
from articles.models import Compilation
from tests.factories import make_user
from tests.test_jobs import Worker

pytestmark = pytest.mark.browser
PASSWORD = "编辑-密码-2024"
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


def test_the_progress_page_becomes_the_preview_then_the_compilation(
        browser, live_server, seeded_transactional_db, settings, tmp_path, screenshots):
    staging = tmp_path / "staging"
    staging.mkdir()
    settings.HUIBIAN_IMPORT_STAGING = str(staging)
    settings.HUIBIAN_IMPORT_JOB_BYTES = 1024
    make_user("编辑己", group="编辑", staff=True, password=PASSWORD)
    upload = tmp_path / "大汇编.txt"
    upload.write_text(make_compilation_text(83, 9), encoding="utf-8")
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    worker = None
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "编辑己")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        page.goto(f"{live_server.url}/admin/articles/compilation/import/")
        page.set_input_files("input[type=file]", str(upload))
        page.click("input[type=submit]")
        page.wait_for_selector("#import-job-progress")  # queued: no worker yet
        assert "排队中" in page.inner_text("#import-job-state")
        page.screenshot(path=str(screenshots / "import-job-queued.png"))

        worker = Worker(tmp_path / "worker.log", staging)
        page.wait_for_selector("#import-confirm", timeout=30000)  # the script reloaded it
        assert page.locator("input[name^=agency_]").count() == 9
        assert page.evaluate("window.__violations") == []
        page.fill("input[name=agency_0]", "市档案馆")
        page.click("#import-confirm input[type=submit]")
        page.wait_for_url("**/admin/articles/compilation/*/change/", timeout=30000)
        assert "已导入" in page.inner_text(".messagelist")
        assert page.evaluate("window.__violations") == [] and errors == []
    finally:
        context.close()
        if worker is not None:
            worker.stop()
    compilation = Compilation.objects.get()
    assert compilation.articles.count() == 9
    assert compilation.articles.get(position=1).agency.name == "市档案馆"
