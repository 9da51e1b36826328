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


@pytest.fixture
def make_layer(db):
    """Create a ready layer with features, as the import would leave it:
    make_layer("slug", [(GEOSGeometry, {"name": ...}), ...], attributes=[...], **fields)."""
    from django.contrib.gis.db.models import Extent

    from layers.models import Feature, Layer

    def make(slug, features, *, attributes=None, geometry_type=None, **fields):
        fields.setdefault("title_en", slug.replace("-", " ").title())
        fields.setdefault("is_public", True)
        fields.setdefault("status", Layer.Status.READY)
        fields.setdefault("version", 1)
        if attributes is None:
            attributes = [{"name": name, "type": "string"} for name in features[0][1]]
        layer = Layer.objects.create(
            slug=slug,
            attributes=attributes,
            geometry_type=geometry_type or features[0][0].geom_type,
            feature_count=len(features),
            **fields,
        )
        Feature.objects.bulk_create(
            Feature(layer=layer, geom=geom, properties=props, source_fid=i)
            for i, (geom, props) in enumerate(features)
        )
        box = layer.features.aggregate(e=Extent("geom"))["e"]
        if box:
            from django.contrib.gis.geos import Polygon

            layer.extent = Polygon.from_bbox(box)
            layer.save(update_fields=["extent"])
        return layer

    return make
