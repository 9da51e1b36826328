import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is safe to use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The project's root (for tests that start its programs) and the test files shipped in tests/data.
ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "data"

# The tests' own Redis database: the portal's (REDIS_URL, 0 by default) holds `make run`'s cache
# and Celery queue, which the tests must neither read nor clear. bench/ uses another.
TEST_REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "1"))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_configure(config):
    """Point the cache and the Celery broker at TEST_REDIS_DB, in this process (before either is
    first used: both read their settings lazily) and for the programs tests start (workers)."""
    from django.conf import settings

    from geoportal.celery import app

    def own(url):
        return urlsplit(url)._replace(path=f"/{TEST_REDIS_DB}").geturl()

    settings.CACHES["default"]["LOCATION"] = own(settings.CACHES["default"]["LOCATION"])
    settings.CELERY_BROKER_URL = app.conf.broker_url = own(settings.CELERY_BROKER_URL)
    os.environ["CACHE_URL"] = settings.CACHES["default"]["LOCATION"]
    os.environ["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL


@pytest.fixture(autouse=True)
def _downloads_root(settings, tmp_path):
    """Stored downloads in the test's own folder: never the files of `make run`'s layers (whose
    ids the test database's layers share)."""
    settings.DOWNLOADS_ROOT = tmp_path / "downloads"


@pytest.fixture(autouse=True)
def _no_basemap(settings):
    """Internet base-map tiles are unreachable here; pages must work without them."""
    settings.BASEMAP_URL = ""


@pytest.fixture(autouse=True)
def _static_files_by_their_names(settings):
    """The live server's static handler serves the sources by their own names (not the hashed
    copies `make run` collects): pages name them so, whatever var/static holds."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _originals_in_tmp(settings, tmp_path_factory):
    """The files each imported version keeps go to a folder of the test's own, not var/media."""
    settings.LAYER_ORIGINALS_ROOT = tmp_path_factory.mktemp("originals")


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


def wait_until(page, expression, timeout=60.0):
    """page.wait_for_function for pages under the Content-Security-Policy: Playwright's polling
    compiles the expression inside the page (eval, which the policy forbids), while
    page.evaluate goes through the DevTools protocol, outside it."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


@pytest.fixture
def output_dir(request):
    """A folder for this test's screenshots: test-results/<test name>/."""
    folder = ROOT / "test-results" / request.node.name
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
    from rest_framework.authtoken.models import Token

    from cities.models import City

    def make(city_slug):
        city = City.objects.get(slug=city_slug)
        user = django_user_model.objects.create_user(
            f"planner-{city_slug}", password="planner-pass-123", is_staff=True
        )
        user.groups.add(city.planners)
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
def english(settings):
    """Messages in English, whatever the portal's default language (pages without a language
    prefix, the admin and the API answer in LANGUAGE_CODE)."""
    from django.urls import clear_url_caches

    settings.LANGUAGE_CODE = "en"
    yield
    # URLs reversed meanwhile were cached for "en" as the unprefixed default language: later
    # /en/ pages (of a live server) would link /jsi18n/, the Belarusian catalogue.
    clear_url_caches()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: API throttle counts (kept in Redis, by client IP)
    must not carry over from earlier tests or runs. The database cleared is the tests' own
    (TEST_REDIS_DB, see pytest_configure), never the portal's."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def redis_round_trips(monkeypatch):
    """A list that receives every packed command sent to Redis from now on: one per round trip
    (a script's inner commands run inside Redis and are not sent)."""
    from redis import connection

    sent = []
    send = connection.Connection.send_packed_command

    def counted(self, command, *args, **kwargs):
        sent.append(command)
        return send(self, command, *args, **kwargs)

    monkeypatch.setattr(connection.Connection, "send_packed_command", counted)
    return sent


@pytest.fixture
def indicators(demo):
    """The demo cities plus the indicator catalogue (no values)."""
    from cities.indicators.catalogue import load_catalogue

    load_catalogue()


@pytest.fixture
def ready_layer(db):
    """Factory: a ready layer with the given features [(geometry WKT or GEOS, properties)],
    created directly in the database (no import pipeline)."""
    from django.contrib.gis.geos import GEOSGeometry

    from layers.models import Feature, Layer

    def make(slug, features, *, is_public=True, attributes=None, geometry_type=None, **fields):
        geometries = [GEOSGeometry(g, srid=4326) if isinstance(g, str) else g for g, _ in features]
        if attributes is None:
            names = {}
            for _, properties in features:
                for name, value in properties.items():
                    kind = {int: "integer", float: "real"}.get(type(value), "string")
                    names.setdefault(name, kind)
            attributes = [{"name": name, "type": kind} for name, kind in names.items()]
        geometry_type = geometry_type or (geometries[0].geom_type if geometries else "")
        extent = None
        if geometries:
            from django.contrib.gis.geos import Polygon

            xs = [c for g in geometries for c in (g.extent[0], g.extent[2])]
            ys = [c for g in geometries for c in (g.extent[1], g.extent[3])]
            extent = Polygon.from_bbox((min(xs), min(ys), max(xs), max(ys)))
        layer = Layer.objects.create(
            slug=slug, title_en=fields.pop("title_en", slug), is_public=is_public,
            status=fields.pop("status", Layer.Status.READY), attributes=attributes,
            feature_count=len(features),
            extent=extent, version=fields.pop("version", 1),
            geometry_type=geometry_type, **fields,
        )  # fmt: skip
        Feature.objects.bulk_create(
            Feature(layer=layer, geom=geom, properties=properties, source_fid=i)
            for i, (geom, (_, properties)) in enumerate(zip(geometries, features, strict=True))
        )
        return layer

    return make


@pytest.fixture
def layer_with_features(ready_layer):
    """The same factory under the name the catalogue, page, tile and download tests use."""
    return ready_layer


@pytest.fixture
def minsk_points(ready_layer):
    """250 sample points on a grid over Minsk (synthetic test data, not real places)."""
    features = []
    for i in range(250):
        lon, lat = 27.40 + (i % 25) * 0.01, 53.85 + (i // 25) * 0.01
        properties = {"name": f"Point {i:03d}", "kind": ["school", "clinic", "park"][i % 3],
                      "rank": i, "score": round(i / 10, 1)}  # fmt: skip
        if i % 50 == 0:
            properties["note"] = None
        features.append((f"POINT({lon:.4f} {lat:.4f})", properties))
    return ready_layer("minsk-points", features, title_en="Sample points")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request to /en/ or /ru/ leaves its language active in the test thread; start each test
    from the default language again so that tests do not depend on their order."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def brest_planner(planner_of):
    """The planner of Brest with what the demo loaders grant planners (layers, services,
    indicator values and targets), the service categories and the indicator catalogue."""
    from cities.indicators.catalogue import load_catalogue
    from cities.indicators.demo import grant_planners as grant_indicators
    from cities.services.demo import grant_planners as grant_services
    from cities.services.demo import load_categories

    load_categories()
    load_catalogue()
    grant_services()
    grant_indicators()
    planner = planner_of("brest")
    planner.first_name, planner.last_name = "Алена", "Брэсцкая"
    planner.save()
    return planner


@pytest.fixture
def pinsk_layer(demo):
    """A published layer of Pinsk (the Natural Earth oblasts, real data)."""
    from cities.models import City
    from layers.imports.queue import import_now
    from layers.models import Layer

    layer = Layer.objects.create(
        slug="pinsk-oblasts", title_be="Вобласці (Пінск)", title_en="Oblasts (Pinsk)",
        city=City.objects.get(slug="pinsk"), is_public=True,
    )  # fmt: skip
    import_now(layer, TEST_DATA / "oblasts.fgb")
    return layer


@pytest.fixture(scope="module")
def replica_database(django_db_setup, django_db_blocker):
    """The test database on the streaming replica that `make test` starts beside the primary
    (scripts/services.sh, port REPLICA_PGPORT), as the database alias "replica" for this module's
    tests: mark them django_db(databases=["default", "replica"]). A mirror for Django's test
    machinery, so no test creates or flushes anything on it; a real connection to the replica
    for the router."""
    import copy

    from django.db import connections

    from geoportal.database import replica

    primary = connections.settings["default"]
    port = int(os.environ.get("REPLICA_PGPORT", int(primary["PORT"]) - 1000))
    connections.settings[replica.REPLICA] = {
        **copy.deepcopy(primary),
        "PORT": port,
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    yield connections.settings[replica.REPLICA]
    with django_db_blocker.unblock():
        connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]
    replica.check()


@pytest.fixture
def start_worker(transactional_db, settings, tmp_path):
    """start_worker(**env) -> a Celery worker process (with its beat) on the tests' Redis
    database, using the test database; stopped at the end of the test."""
    from django.db import connection

    settings.IMPORT_ROOT = tmp_path / "imports"
    db = connection.settings_dict
    processes = []

    def start(**extra):
        env = {
            **os.environ,
            "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "IMPORT_ROOT": str(settings.IMPORT_ROOT),
            "DOWNLOADS_ROOT": str(settings.DOWNLOADS_ROOT),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **extra,
        }
        number = len(processes)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "geoportal", "worker", "--pool=solo", "-B",
             f"--schedule={tmp_path / f'beat-{number}'}", "--loglevel=info", "--without-gossip",
             "--without-mingle", "--without-heartbeat",
             f"--hostname=test-{os.getpid()}-{number}@%h",
             f"--logfile={tmp_path.parent / f'celery-worker-{number}.log'}"],
            # A group of its own: the embedded beat is a child process, which a test's SIGKILL
            # of the worker leaves behind; the group is ended whole below.
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        processes.append(process)
        return process

    def signal_group(process, number):
        with contextlib.suppress(ProcessLookupError):  # the whole group has gone
            os.killpg(process.pid, number)

    yield start
    for process in processes:
        signal_group(process, signal.SIGTERM)
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        signal_group(process, signal.SIGKILL)
        process.wait()
