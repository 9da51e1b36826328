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
    """Factory: a ready layer with the given features [(geometry WKT or GEOS, properties)],
    created directly in the database (no import pipeline)."""
    from django.contrib.gis.geos import GEOSGeometry

    from layers.models import Feature, Layer

    def make(slug, features, *, is_public=True, attributes=None, **fields):
        geometries = [GEOSGeometry(g, srid=4326) if isinstance(g, str) else g for g, _ in features]
        if attributes is None:
            names = {}
            for _, properties in features:
                for name, value in properties.items():
                    kind = {int: "integer", float: "real"}.get(type(value), "string")
                    names.setdefault(name, kind)
            attributes = [{"name": name, "type": kind} for name, kind in names.items()]
        extent = None
        if geometries:
            from django.contrib.gis.geos import Polygon

            xs = [c for g in geometries for c in (g.extent[0], g.extent[2])]
            ys = [c for g in geometries for c in (g.extent[1], g.extent[3])]
            extent = Polygon.from_bbox((min(xs), min(ys), max(xs), max(ys)))
        layer = Layer.objects.create(
            slug=slug, title_en=fields.pop("title_en", slug), is_public=is_public,
            status=Layer.Status.READY, attributes=attributes, feature_count=len(features),
            extent=extent, geometry_type=geometries[0].geom_type if geometries else "", **fields,
        )  # fmt: skip
        Feature.objects.bulk_create(
            Feature(layer=layer, geom=geom, properties=properties, source_fid=i)
            for i, (geom, (_, properties)) in enumerate(zip(geometries, features, strict=True))
        )
        return layer

    return make


@pytest.fixture
def minsk_points(make_layer):
    """250 sample points on a grid over Minsk (synthetic test data, not real places)."""
    features = []
    for i in range(250):
        lon, lat = 27.40 + (i % 25) * 0.01, 53.85 + (i // 25) * 0.01
        properties = {"name": f"Point {i:03d}", "kind": ["school", "clinic", "park"][i % 3],
                      "rank": i, "score": round(i / 10, 1)}  # fmt: skip
        if i % 50 == 0:
            properties["note"] = None
        features.append((f"POINT({lon:.4f} {lat:.4f})", properties))
    return make_layer("minsk-points", features, title_en="Sample points")
