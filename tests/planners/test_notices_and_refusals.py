"""The planner hears how an import ended (a notice in the admin, an e-mail when configured), and
a link to what is not theirs is explained rather than "does not exist"; what they cannot use
is not offered."""

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cities.models import City, Indicator, IndicatorValue, ServiceCategory, ServiceLocation
from layers.models import Layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed(settings, brest_planner):
    settings.IMPORT_NOTICE_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    brest_planner.email = "alena@brest.example"
    brest_planner.save()
    return brest_planner


def upload(client, name, content, language):
    client.cookies["django_language"] = language
    return client.post(
        reverse("admin:layers_layer_add"),
        {"title_be": "Паведамленні", "city": City.objects.get(slug="brest").pk,
         "file": SimpleUploadedFile(name, content)},
    )  # fmt: skip


def test_an_ended_import_is_told_once_in_the_admin_and_by_email(
    client, mailed, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(mailed)
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Брэст"},
         "geometry": {"type": "Point", "coordinates": [23.6852, 52.0938]}}]}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "brest.geojson", json.dumps(points).encode(), "en")
    assert response.status_code == 302, response.context["adminform"].form.errors
    [message] = mail.outbox
    assert message.to == ["alena@brest.example"]
    assert "has finished: 1 features" in message.body and "Паведамленні" in message.subject
    page = client.get(response["Location"]).text
    assert "The import of brest.geojson into “Паведамленні” has finished" in page
    assert "has finished" not in client.get(reverse("admin:index")).text  # shown once


def test_a_failed_import_is_told_in_the_planners_language(
    client, mailed, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(mailed)
    empty = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "нічога"}, "geometry": None}]}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "empty.geojson", json.dumps(empty).encode(), "be")
    [message] = mail.outbox
    assert "не ўдаўся" in message.body
    page = client.get(response["Location"]).text
    assert "Імпарт empty.geojson у слой «Паведамленні» не ўдаўся" in page
    layer = Layer.objects.get(title_be="Паведамленні")
    home = client.get(reverse("admin:index")).text
    retry = reverse("admin:layers_layer_version_retry", args=[layer.pk, layer.versions.get().pk])
    assert "загрузка не ўдалася" in home and retry in home


def test_no_email_unless_configured(client, brest_planner, eager_celery,
                                    django_capture_on_commit_callbacks, settings):  # fmt: skip
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    brest_planner.email = "alena@brest.example"
    brest_planner.save()
    client.force_login(brest_planner)
    points = b'{"type": "Point", "coordinates": [23.6852, 52.0938]}'
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "point.geojson", points, "en")
    assert mail.outbox == []


@pytest.fixture
def pinsk_rows(brest_planner):
    pinsk = City.objects.get(slug="pinsk")
    service = ServiceLocation.objects.create(
        name_be="Паліклініка Пінска", category=ServiceCategory.objects.get(slug="clinic"),
        location=pinsk.location,
    )  # fmt: skip
    value = IndicatorValue.objects.create(
        city=pinsk, indicator=Indicator.objects.get(code="EC: ICT: ICT: 1C"), year=2024,
        value=50, source="Пінскі гарвыканкам",
    )  # fmt: skip
    return pinsk, service, value


@pytest.mark.parametrize(
    "url",
    [
        lambda pinsk, service, value: reverse("admin:cities_servicelocation_change",
                                              args=[service.pk]),
        lambda pinsk, service, value: reverse("admin:cities_indicatorvalue_change",
                                              args=[value.pk]),
        lambda pinsk, service, value: reverse("admin:cities_indicatorvalue_delete",
                                              args=[value.pk]),
        lambda pinsk, service, value: reverse("admin:cities_city_boundary", args=[pinsk.pk]),
    ],
)  # fmt: skip
def test_another_citys_rows_are_explained_not_hidden(client, brest_planner, pinsk_rows, url):
    client.force_login(brest_planner)
    response = client.get(url(*pinsk_rows), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "planners of the city of Pinsk" in response.text
    assert "You manage the data of: Brest" in response.text
    assert "does not exist" not in response.text and "doesn’t exist" not in response.text


def test_another_citys_layer_pages_are_explained(client, brest_planner, pinsk_layer):
    client.force_login(brest_planner)
    for name in ("layers_layer_change", "layers_layer_style", "layers_layer_publish",
                 "layers_layer_history"):  # fmt: skip
        response = client.get(reverse(f"admin:{name}", args=[pinsk_layer.pk]),
                              HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
        assert response.status_code == 403, name
        assert "planners of the city of Pinsk" in response.text, name
        assert pinsk_layer.get_absolute_url() in response.text  # it is public: see it there


def test_the_boundary_button_and_action_only_where_the_planner_may_use_them(
    client, brest_planner, planner_of
):
    client.force_login(brest_planner)
    brest, pinsk = City.objects.get(slug="brest"), City.objects.get(slug="pinsk")
    assert (
        reverse("admin:cities_city_boundary", args=[brest.pk])
        in client.get(reverse("admin:cities_city_change", args=[brest.pk])).text
    )
    assert (
        reverse("admin:cities_city_boundary", args=[pinsk.pk])
        not in client.get(reverse("admin:cities_city_change", args=[pinsk.pk])).text
    )
    assert "set_boundary_action" in client.get(reverse("admin:cities_city_changelist")).text


def test_the_owner_is_a_name_not_a_link_to_a_page_the_planner_may_not_open(client, brest_planner):
    layer = Layer.objects.create(slug="owned", title_be="Мой слой", owner=brest_planner,
                                 city=City.objects.get(slug="brest"))  # fmt: skip
    client.force_login(brest_planner)
    page = client.get(reverse("admin:layers_layer_change", args=[layer.pk])).text
    assert "Алена Брэсцкая" in page
    assert reverse("admin:auth_user_change", args=[brest_planner.pk]) not in page
