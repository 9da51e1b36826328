"""A re-upload fits the saved style to the new data (or resets it and says so before publishing);
the upload form keeps a good file while the planner corrects the rest, and a forged "kept file"
is refused."""

import pytest
from conftest import TEST_DATA
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cities.models import City
from layers.admin.forms import KEPT_SALT
from layers.imports.queue import import_now
from layers.models import Layer
from layers.styles import clean_style, legend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def oblasts(brest_planner):
    layer = Layer.objects.create(slug="restyled", title_be="Вобласці", owner=brest_planner,
                                 city=City.objects.get(slug="brest"))  # fmt: skip
    import_now(layer, TEST_DATA / "oblasts.fgb")
    layer.refresh_from_db()
    return layer


def test_categories_are_taken_again_from_new_data_keeping_the_planners_colours(oblasts):
    style = clean_style({"type": "categorized", "attribute": "type_en", "symbol": {}}, oblasts)
    before = {c["value"]: c for c in style["categories"]}
    region = next(value for value in before if value != "City")
    before[region] |= {"label": "Вобласць", "colour": "#123456"}
    oblasts.style = {**style, "categories": list(before.values())}
    oblasts.save()
    import_now(oblasts, TEST_DATA / "oblasts.kml")  # the same oblasts, as KML: type_en too
    oblasts.refresh_from_db()
    kept = next(c for c in oblasts.style["categories"] if c["value"] == region)
    assert (kept["label"], kept["colour"]) == ("Вобласць", "#123456")
    [note] = oblasts.import_report["style_notes"]
    assert not note["reset"] and note["values"]["attribute"] == "type_en"


def test_graduated_classes_are_computed_again_and_a_lost_attribute_resets_with_a_warning(
    oblasts, client, brest_planner
):
    oblasts.style = clean_style(
        {"type": "graduated", "attribute": "latitude", "method": "equal_interval",
         "class_count": 3, "ramp": "Blues", "symbol": {}}, oblasts,
    )  # fmt: skip
    oblasts.save()
    import_now(oblasts, TEST_DATA / "oblasts.fgb")
    oblasts.refresh_from_db()
    assert oblasts.style["type"] == "graduated" and len(oblasts.style["classes"]) == 3
    import_now(oblasts, TEST_DATA / "target_cities_17.gpx")  # points: no latitude attribute
    oblasts.refresh_from_db()
    assert oblasts.style["type"] == "single"
    assert [entry["label"] for entry in legend(oblasts)] == [oblasts.title]
    client.force_login(brest_planner)
    publish = client.get(reverse("admin:layers_layer_publish", args=[oblasts.pk])).text
    assert "Before you publish" in publish and "no attribute “latitude”" in publish
    assert "Publish anyway" in publish


def test_a_good_file_is_kept_while_another_field_is_corrected(client, brest_planner):
    client.force_login(brest_planner)
    url = reverse("admin:layers_layer_add")
    with open(TEST_DATA / "oblasts.kml", "rb") as handle:
        first = client.post(url, {"title_be": "", "file": handle})  # no title, no city
    form = first.context["adminform"].form
    assert form.kept_name == "oblasts.kml" and "title_be" in form.errors
    assert "The file oblasts.kml is kept" in first.text
    token = form.data["kept_upload"]
    second = client.post(url, {"title_be": "Вобласці", "city": City.objects.get(slug="brest").pk,
                               "kept_upload": token})  # fmt: skip
    assert second.status_code == 302
    layer = Layer.objects.get(title_be="Вобласці")
    assert layer.versions.get().source_filename == "oblasts.kml"


def test_a_forged_kept_file_is_not_taken(client, brest_planner, tmp_path):
    client.force_login(brest_planner)
    secret = tmp_path / "secret.geojson"
    secret.write_text('{"type": "Point", "coordinates": [23.7, 52.1]}')
    forged = signing.dumps({"path": str(secret), "name": "secret.geojson"}, salt="other")
    outside = signing.dumps({"path": str(secret), "name": "secret.geojson"}, salt=KEPT_SALT)
    for token in (forged, outside, "garbage"):
        response = client.post(
            reverse("admin:layers_layer_add"),
            {"title_be": "Падробка", "city": City.objects.get(slug="brest").pk,
             "kept_upload": token},
        )  # fmt: skip
        assert "Choose the file to upload." in response.text
    assert not Layer.objects.filter(title_be="Падробка").exists()


def test_a_refused_file_is_named_with_where_and_what_to_do_at_the_top(client, brest_planner):
    client.force_login(brest_planner)
    broken = SimpleUploadedFile("roads.geojson", b'{"type": "FeatureCollection",\n "features": [}')
    response = client.post(reverse("admin:layers_layer_add"),
                           {"title_be": "Дарогі", "city": City.objects.get(slug="brest").pk,
                            "file": broken})  # fmt: skip
    top = response.text.index('class="upload-summary"')
    assert top < response.text.index('id="id_file"')
    summary = response.text[top : response.text.index("</div>", top)]
    assert "roads.geojson is not valid GeoJSON: it breaks off at line 2, column" in summary
    assert "export it again" in summary and "Choose the corrected file again" in summary
