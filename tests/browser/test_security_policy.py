"""The Content-Security-Policy in a real browser: reader pages, the search page, the API's
documentation (Swagger UI, whose set-up script is served from a URL) and the editors' admin
pages, the import preview among them, run with no policy violation and no script error."""
import pytest

from tests.factories import make_article, make_compilation, make_user
from tests.importer.helpers import STYLES

pytestmark = pytest.mark.browser
flow_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "编辑-密码-2024"

# Every violation the page reports, as it happens (init scripts are not subject to the CSP).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


@flow_db
def test_pages_run_within_the_content_security_policy(browser, live_server, settings,
                                                       tmp_path):
    settings.HUIBIAN_IMPORT_STAGING = str(tmp_path)
    article = make_article(title="县统计局“四抓四促”提升统计数据质量",
                           compilation=make_compilation())
    make_user("编辑戊", group="编辑", staff=True, password=PASSWORD)
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text else None)

    def visit(path, ready=None):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if ready:
            page.wait_for_selector(ready)
        violations = page.evaluate("window.__violations")
        assert violations == [], (path, violations)

    for path in ("/", "/articles/", article.get_absolute_url(), "/search/?q=统计"):
        visit(path)
    visit("/api/docs/", ready=".swagger-ui .opblock")  # Swagger UI really ran
    visit("/admin/login/")
    page.fill("#id_username", "编辑戊")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    visit("/admin/articles/article/")
    visit("/admin/articles/compilation/import/")
    page.set_input_files("input[type=file]", str(STYLES))
    page.click("input[type=submit]")
    page.wait_for_selector("#import-confirm")
    assert page.evaluate("window.__violations") == []
    visit(f"/admin/articles/article/{article.pk}/change/")
    assert problems == []
    context.close()
