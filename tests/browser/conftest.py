"""Playwright driving Debian's own Chromium (never a downloaded browser) against
pytest-django's live server.

Without /usr/bin/chromium the browser tests skip and say why, unless HUIBIAN_REQUIRE_BROWSER=1
(CI), where a missing browser is a failure. Screenshots go to test-artifacts/screenshots/.
"""
import os
from pathlib import Path

import pytest

# Debian's package; HUIBIAN_CHROMIUM may point elsewhere (e.g. to check the skip path).
CHROMIUM = Path(os.environ.get("HUIBIAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per module, or a skip (a failure in CI) when there is none.

    Playwright's sync API keeps an event loop running in this thread while it is open, and
    Django refuses database access under a running loop (SynchronousOnlyOperation) unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set; it is set only while the browser is open, because
    ``check --deploy`` (tests/test_project.py) rightly rejects it anywhere else.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent: run .ci/debian-deps to install Debian's chromium"
        if os.environ.get("HUIBIAN_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (HUIBIAN_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
