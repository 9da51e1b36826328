"""POST /api/v1/layers/ answers 202 and imports in the background; 400 names the problem;
planners see and change only their own cities' layers."""

import pytest
from conftest import TEST_DATA
from rest_framework.test import APIClient

from layers.imports.queue import import_now
from layers.models import Layer

pytestmark = pytest.mark.usefixtures("english")


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {user.token}")
    return client


def upload(client, path, **fields):
    with open(path, "rb") as handle:
        return client.post("/api/v1/layers/", {"file": handle, **fields}, format="multipart")


@pytest.fixture
def brest_planner(planner_of):
    return planner_of("brest")


def test_upload_answers_202_with_the_layer_url_and_imports(
    brest_planner, eager_celery, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.IMPORT_ROOT = tmp_path
    client = client_for(brest_planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client, TEST_DATA / "target_cities_17.gpx", title="Гарады", city="brest",
            topic_category="location", is_public="true",
        )  # fmt: skip
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["url"].endswith("/api/v1/layers/harady/")  # "Гарады" romanised
    assert response["Location"] == body["url"]
    detail = client.get(body["url"]).json()
    assert detail["status"] == "ready"
    assert detail["feature_count"] == 17
    assert detail["import_report"]["imported"] == 17
    assert detail["city"] == "brest"
    assert detail["owner"] == "planner-brest"
    assert list(tmp_path.iterdir()) == []  # the queued upload was removed


@pytest.mark.parametrize(
    ("filename", "fields", "problem"),
    [
        ("noshp.zip", {}, ("file", "has no .shp file")),
        ("badzip.zip", {}, ("file", "damaged or is not a zip file")),
        ("oblasts.kml", {"city": "gomel"}, ("city", "You do not manage this city")),
        ("oblasts.kml", {"city": ""}, ("city", "Choose one of the cities you manage")),
        ("oblasts.kml", {"topic_category": "gossip"}, ("topic_category", "not a valid choice")),
    ],
)
def test_bad_upload_answers_400_naming_the_problem(brest_planner, filename, fields, problem):
    fields = {"title": "Layer", "city": "brest", **fields}
    response = upload(client_for(brest_planner), TEST_DATA / filename, **fields)
    assert response.status_code == 400
    field, message = problem
    body = response.json()
    assert body["code"] == "invalid"
    assert message in " ".join(body["detail"][field])
    assert not Layer.objects.exists()


def test_upload_needs_a_planner(demo, django_user_model):
    assert upload(client_for(), TEST_DATA / "oblasts.kml", title="x").status_code == 401
    citizen = django_user_model.objects.create_user("citizen")
    from rest_framework.authtoken.models import Token

    citizen.token = Token.objects.create(user=citizen).key
    response = upload(client_for(citizen), TEST_DATA / "oblasts.kml", title="x")
    assert response.status_code == 403


def test_private_layers_are_visible_only_to_their_city_planners(planner_of):
    from cities.models import City

    brest, gomel = planner_of("brest"), planner_of("gomel")
    private = Layer.objects.create(
        slug="brest-private", title_be="Private", city=City.objects.get(slug="brest")
    )
    import_now(private, TEST_DATA / "oblasts.kml")
    public = Layer.objects.create(slug="open", title_be="Open", is_public=True, version=1)

    def slugs(user):
        return {row["slug"] for row in client_for(user).get("/api/v1/layers/").json()["results"]}

    assert slugs(brest) == {"brest-private", "open"}
    assert slugs(gomel) == {"open"}
    assert slugs(None) == {"open"}
    assert client_for(gomel).get("/api/v1/layers/brest-private/").status_code == 404
    assert client_for(None).get(f"/api/v1/layers/{public.slug}/").status_code == 200


def test_an_upload_is_saved_once_and_inspected_once_by_the_worker(
    brest_planner, django_capture_on_commit_callbacks, settings, tmp_path, oblasts_zip, monkeypatch
):
    """The request only stores the upload once under IMPORT_ROOT and checks what is seen without
    unpacking it; the worker unpacks and inspects it once, keeps the inspection on the version,
    and stages it."""
    settings.IMPORT_ROOT = root = tmp_path / "imports"
    queued = []
    monkeypatch.setattr("layers.imports.queue.import_layer_task.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(brest_planner), oblasts_zip, title="Вобласці", city="brest")
    assert response.status_code == 202, response.content
    (folder,) = root.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["oblasts.zip"]  # nothing unpacked yet
    version = Layer.objects.get(slug=response.json()["slug"]).versions.get()
    assert queued == [version.pk]
    assert version.source["upload"] == str(folder / "oblasts.zip")

    from geoportal.gis import inspect as inspect_module
    from layers.imports.pipeline import run_import

    opened = []
    real_open = inspect_module.open_vector
    monkeypatch.setattr(
        inspect_module, "open_vector", lambda *args: opened.append(args) or real_open(*args)
    )
    run_import(version.pk)
    version.refresh_from_db()
    assert version.status == "ready", version.error_message
    assert len(opened) == 1
    assert version.source["format"] == "ESRI Shapefile"
    assert version.source["path"] == str(folder / "unzipped" / "oblasts.shp")
    assert version.source["encoding"] == "CP1251"
    assert version.layer.feature_count == 7
    assert list(root.iterdir()) == []  # the upload and its unpacked files are gone


def test_what_only_the_worker_sees_fails_the_version_with_the_reason(
    brest_planner, eager_celery, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.IMPORT_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(brest_planner), TEST_DATA / "belarus_utm35n.gpkg",
                          title="Layer", city="brest")  # fmt: skip
    assert response.status_code == 202
    detail = client_for(brest_planner).get(response.json()["url"]).json()
    assert detail["status"] == "failed"
    assert "2 layers: oblasts, target_cities" in detail["error_message"]
    assert list(tmp_path.iterdir()) == []


def test_a_body_larger_than_the_limit_is_a_413_before_it_is_read(brest_planner, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    client = client_for(brest_planner)
    response = client.post("/api/v1/layers/", data=b"x", content_type="multipart/form-data; "
                           "boundary=x", CONTENT_LENGTH=str(5 * 2**30))  # fmt: skip
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_an_upload_is_cut_off_at_the_limit_while_it_streams(brest_planner, settings, tmp_path):
    """A body within the declared-length allowance is still stopped once its file passes the
    limit, before the rest is read."""
    settings.MAX_UPLOAD_SIZE = 64 * 1024
    settings.IMPORT_ROOT = tmp_path / "imports"
    big = tmp_path / "big.geojson"
    big.write_text('{"type": "FeatureCollection", "features": []}' + " " * 200_000)
    response = upload(client_for(brest_planner), big, title="x", city="brest")
    assert response.status_code == 413, response.content
    assert not Layer.objects.exists()
    assert not settings.IMPORT_ROOT.exists()


def test_a_refused_upload_leaves_nothing_behind(brest_planner, settings, tmp_path):
    settings.IMPORT_ROOT = tmp_path
    response = upload(client_for(brest_planner), TEST_DATA / "noshp.zip", title="x", city="brest")
    assert response.status_code == 400
    assert list(tmp_path.iterdir()) == []
    assert not Layer.objects.filter(title_be="x").exists()
