"""A re-upload fits the saved style to the new data (or resets it and says so before publishing);
the upload form keeps a good file while the planner corrects the rest, and a forged "kept file"
is refused."""

import zipfile

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


def inline_fields(page):
    """What a change form's inlines (the versions) send back unchanged."""
    fields = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        fields.update({management.add_prefix(n): management[n].value() for n in management.fields})
        for form in formset.forms:
            fields.update({form.add_prefix(n): form[n].value() for n in ("id", "layer")})
    return fields


def test_a_failed_file_is_imported_again_with_the_option_stated_not_chosen_again(
    client, brest_planner, eager_celery, django_capture_on_commit_callbacks, tmp_path
):
    """The worker finds that a Shapefile has no coordinate system: the planner states it in the
    layer's form, without choosing the file again, and its kept file is imported anew."""
    client.force_login(brest_planner)
    zipped = tmp_path / "oblasts.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for extension in (".shp", ".shx", ".dbf"):  # no .prj
            archive.write(TEST_DATA / f"oblasts_cp1251_nocpg{extension}", f"oblasts{extension}")
    brest = City.objects.get(slug="brest").pk
    with open(zipped, "rb") as handle, django_capture_on_commit_callbacks(execute=True):
        added = client.post(reverse("admin:layers_layer_add"),
                            {"title_be": "Без сістэмы", "city": brest, "file": handle})  # fmt: skip
    assert added.status_code == 302
    layer = Layer.objects.get(title_be="Без сістэмы")
    failed = layer.versions.get()
    assert (
        failed.status == Layer.Status.FAILED
        and "coordinate reference system" in failed.error_message
    )
    change = reverse("admin:layers_layer_change", args=[layer.pk])
    page = client.get(change)
    assert "the same file is imported again, without choosing it again" in page.text
    fields = {"title_be": "Без сістэмы", "city": brest, **inline_fields(page)}
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(change, {**fields, "crs": "EPSG:4326"}, follow=True)
    assert "The file oblasts.zip is being imported again with what you stated." in again.text
    layer.refresh_from_db()
    second = layer.versions.get(number=2)
    assert second.status == Layer.Status.READY and second.restored_from == failed
    assert second.options["crs"] == "EPSG:4326"
    assert layer.feature_count > 0 and layer.source_crs
    # Saving the description alone imports nothing again.
    fields = {**fields, **inline_fields(client.get(change)), "title_be": "Вобласці"}
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(change, fields)
    assert saved.status_code == 302 and layer.versions.count() == 2
