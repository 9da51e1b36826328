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
    """An empty layer to import into: make_layer(slug="x", city=None, owner=None)."""
    from layers.models import Layer

    def make(slug="test-layer", **fields):
        return Layer.objects.create(slug=slug, title_be=fields.pop("title_be", slug), **fields)

    return make


@pytest.fixture
def zip_of(tmp_path):
    """zip_of("name.zip", {"member/name": path or bytes, ...}) -> the path of a new zip."""
    import zipfile

    def make(name, members):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, content in members.items():
                if isinstance(content, bytes):
                    archive.writestr(member, content)
                else:
                    archive.write(content, member)
        return path

    return make


@pytest.fixture
def oblasts_zip(zip_of):
    """The CP1251 oblasts Shapefile without .cpg, zipped as a planner would."""
    return zip_of(
        "oblasts.zip",
        {
            f"oblasts.{ext}": TEST_DATA / f"oblasts_cp1251_nocpg.{ext}"
            for ext in ("shp", "shx", "dbf", "prj")
        },
    )


@pytest.fixture
def planner_of(demo, django_user_model):
    """planner_of("brest") -> a staff user in Brest's planner group, with an API token."""
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    from cities.models import City

    def make(city_slug):
        city = City.objects.get(slug=city_slug)
        user = django_user_model.objects.create_user(
            f"planner-{city_slug}", password="planner-pass-123", is_staff=True
        )
        user.groups.add(city.planners)
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="layers"))
        user.token = Token.objects.create(user=user).key
        return user

    return make


@pytest.fixture
def eager_celery():
    """Run Celery tasks in the test's process (the real-worker test does without)."""
    from geoportal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def layer_with_features(db):
    """Create a ready layer with features, as the import would leave it: layer_with_features(
    "slug", [(GEOSGeometry, {"name": ...}), ...], attributes=[...], **fields)."""
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


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request to /en/ or /ru/ leaves its language active in the test thread; start each test
    from the default language again so that tests do not depend on their order."""
    from django.utils import translation

    yield
    translation.deactivate()
