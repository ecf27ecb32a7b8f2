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

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from it (SynchronousOnlyOperation). The live server has its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session, or a skip (a failure in CI) when there is none."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent: run .ci/browser-deps to install Debian's chromium"
        if os.environ.get("HUIBIAN_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (HUIBIAN_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
