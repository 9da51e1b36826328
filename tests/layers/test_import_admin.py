"""The planners' admin: upload, progress, report, versions, map preview; planners of one city
neither see nor change another city's layers."""

import pytest
from conftest import TEST_DATA, wait_until
from django.urls import reverse

from cities.models import City
from layers.imports.queue import import_now
from layers.models import Layer

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def two_cities_layers(planner_of):
    brest_layer = Layer.objects.create(
        slug="brest-roads", title_be="Roads of Brest", city=City.objects.get(slug="brest")
    )
    gomel_layer = Layer.objects.create(
        slug="gomel-parks",
        title_be="Parks of Gomel",
        city=City.objects.get(slug="gomel"),
        is_public=True,
    )
    import_now(gomel_layer, TEST_DATA / "oblasts.kml")
    return planner_of("brest"), brest_layer, gomel_layer


def test_planner_sees_and_changes_only_their_citys_layers(client, two_cities_layers):
    planner, brest_layer, gomel_layer = two_cities_layers
    client.force_login(planner)
    listing = client.get(reverse("admin:layers_layer_changelist"))
    assert listing.status_code == 200
    assert "Roads of Brest" in listing.text
    assert "Parks of Gomel" not in listing.text
    own = client.get(reverse("admin:layers_layer_change", args=[brest_layer.pk]))
    assert own.status_code == 200
    other = reverse("admin:layers_layer_change", args=[gomel_layer.pk])
    refused = client.get(other)  # explained: whose it is, not "does not exist"
    assert refused.status_code == 403
    assert "planners of the city of Gomel" in refused.text
    response = client.post(other, {"title_be": "Hijacked", "slug": "gomel-parks"})
    assert response.status_code == 403
    gomel_layer.refresh_from_db()
    assert gomel_layer.title_be == "Parks of Gomel"
    preview = reverse("admin:layers_layer_preview", args=[gomel_layer.pk])
    assert client.get(preview).status_code == 404
    delete = reverse("admin:layers_layer_delete", args=[gomel_layer.pk])
    client.post(delete, {"post": "yes"})
    assert Layer.objects.filter(pk=gomel_layer.pk).exists()
    # The city choice offers only their own city.
    add = client.get(reverse("admin:layers_layer_add"))
    assert list(add.context["adminform"].form.fields["city"].queryset) == [brest_layer.city]


def test_upload_form_refuses_a_bad_file_with_the_reason(client, planner_of):
    planner = planner_of("brest")
    client.force_login(planner)
    with open(TEST_DATA / "noshp.zip", "rb") as handle:
        response = client.post(
            reverse("admin:layers_layer_add"),
            {"title_be": "Дарогі", "city": City.objects.get(slug="brest").pk, "file": handle},
        )
    assert response.status_code == 200
    assert "has no .shp file" in response.text
    assert not Layer.objects.exists()


@pytest.mark.browser
def test_upload_in_the_admin_then_report_versions_and_preview(
    page, live_server, planner_of, eager_celery, output_dir
):
    planner = planner_of("brest")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", planner.username)
    page.fill("#id_password", "planner-pass-123")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}{reverse('admin:layers_layer_add')}")
    page.fill("#id_title_be", "Абласці")
    page.fill("#id_title_en", "Oblasts")
    page.select_option("#id_city", label=City.objects.get(slug="brest").name)
    page.select_option("#id_topic_category", "boundaries")
    page.set_input_files("#id_file", str(TEST_DATA / "belarus_utm35n.gpkg"))
    page.click("input[name=_save]")
    # The GeoPackage has several layers: the worker says so; the options open, and the layer
    # is named there without choosing the file again.
    page.wait_for_selector(".layer-import[data-status=failed]")
    assert "Choose the one to import" in page.locator(".layer-import-error").inner_text()
    page.fill("#id_layer_name", "oblasts")
    page.click("input[name=_save]")
    page.wait_for_selector(".layer-import[data-status=ready]")
    page.wait_for_selector("#layer-preview[data-features='7']")
    assert page.locator(".layer-report").inner_text().count("7") >= 2
    # The facts sit in a folded section; the versions list the file, ready to download.
    assert "belarus_utm35n.gpkg" in page.locator("div.field-source_filename").text_content()
    version_row = page.locator("td.field-file").first
    assert version_row.inner_text() == "belarus_utm35n.gpkg"
    assert version_row.locator("a[download]").count() == 1
    page.screenshot(path=output_dir / "layer-page.png", full_page=True)
    layer = Layer.objects.get(slug="ablasci")  # "Абласці" romanised
    assert (layer.owner, layer.feature_count, layer.source_crs) == (planner, 7, "EPSG:32635")
    assert page.js_errors == []


@pytest.mark.browser
def test_layer_page_follows_a_running_import(page, live_server, planner_of, client):
    planner = planner_of("brest")
    layer = Layer.objects.create(
        slug="running", title_be="Running", city=City.objects.get(slug="brest"),
        status=Layer.Status.IMPORTING, progress=40,
    )  # fmt: skip
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", planner.username)
    page.fill("#id_password", "planner-pass-123")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}{reverse('admin:layers_layer_change', args=[layer.pk])}")
    assert page.locator(".layer-import progress").get_attribute("value") == "40"
    Layer.objects.filter(pk=layer.pk).update(progress=80)
    wait_until(page, "document.querySelector('.layer-import progress').value === 80")
    Layer.objects.filter(pk=layer.pk).update(status=Layer.Status.FAILED, error_message="Broken")
    page.wait_for_selector(".layer-import[data-status=failed]")
    assert "Broken" in page.locator(".layer-import-error").inner_text()
    assert page.js_errors == []
