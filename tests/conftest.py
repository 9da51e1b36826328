import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is safe to use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(autouse=True)
def _no_basemap(settings):
    """Internet base-map tiles are unreachable here; pages must work without them."""
    settings.BASEMAP_URL = ""


@pytest.fixture
def demo(db):
    """The Belarus demo regions and cities, loaded by the real loader."""
    from cities.demo import load

    load()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def output_dir(request):
    """A folder for this test's screenshots: test-results/<test name>/."""
    folder = Path(__file__).resolve().parents[1] / "test-results" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: API throttle counts (kept in Redis, by client IP)
    must not carry over from earlier tests or runs."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def indicators(demo):
    """The demo cities plus the indicator catalogue (no values)."""
    from cities.indicator_catalogue import load_catalogue

    load_catalogue()
