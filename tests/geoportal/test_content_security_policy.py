"""A Content-Security-Policy on every page: scripts only from the portal's own files (the
admin's django-leaflet widgets by nonce), and the pages, maps, Swagger UI and admin keep working
under it in a real browser; the catalogue's filters name only what the visitor may see."""

import re

import pytest
from django.urls import reverse

from cities.models import City


def policy(response):
    return dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )


def test_pages_carry_a_policy_without_inline_scripts(client, demo, admin_client):
    for response in (client.get("/"), client.get("/api/v1/docs/"), admin_client.get("/admin/")):
        directives = policy(response)
        assert directives["script-src"].startswith("'self'")
        assert "unsafe-inline" not in directives["script-src"]
        assert directives["object-src"] == "'none'"
        assert directives["connect-src"] == "'self'"


def test_the_admin_map_widget_runs_by_nonce(admin_client, demo):
    city = City.objects.get(slug="minsk")
    response = admin_client.get(reverse("admin:cities_city_change", args=[city.pk]))
    nonce = re.search(r"'nonce-([^']+)'", policy(response)["script-src"]).group(1)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.text)
    executable = [attrs for attrs in scripts if "application/json" not in attrs]
    assert executable and all(f'nonce="{nonce}"' in attrs for attrs in executable)


def test_the_catalogue_filters_name_only_visible_cities_and_categories(
    client, demo, ready_layer, planner_of
):
    gomel = planner_of("gomel")
    point = [("POINT(27.5 53.9)", {"name": "a"})]
    ready_layer("minsk-open", point, city=City.objects.get(slug="minsk"), topic_category="society")
    ready_layer("gomel-private", point, is_public=False, city=City.objects.get(slug="gomel"),
                topic_category="health")  # fmt: skip

    def options(user=None):
        if user:
            client.force_login(user)
        page = client.get("/layers/")
        cities = {c.slug for c in page.context["cities"]}
        categories = {value for value, _label in page.context["categories"]}
        return cities, categories

    assert options() == ({"minsk"}, {"society"})
    assert options(gomel) == ({"minsk", "gomel"}, {"society", "health"})


@pytest.mark.browser
def test_pages_maps_swagger_and_admin_work_under_the_policy(
    page, live_server, minsk_points, demo, django_user_model
):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    base = live_server.url
    checks = [
        ("/", ".leaflet-container"),
        ("/layers/minsk-points/", ".leaflet-container"),
        ("/services/", ".leaflet-container"),
        ("/api/v1/docs/", ".swagger-ui .opblock"),
        ("/ogc/api?f=html", ".swagger-ui .opblock"),
        ("/ogc/collections/cities/items?f=html&limit=5", ".leaflet-container"),
    ]
    for path, selector in checks:
        page.goto(base + path)
        page.wait_for_selector(selector, timeout=30000)
    django_user_model.objects.create_superuser("root", password="root-pass-123")
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "root-pass-123")
    page.click("input[type=submit]")
    city = City.objects.get(slug="minsk")
    page.goto(base + reverse("admin:cities_city_change", args=[city.pk]))
    page.wait_for_selector(".leaflet-container")
    assert violations == []
    assert page.js_errors == []


def test_no_template_carries_inline_script_or_event_handlers():
    """The policy would block them: code lives in static/js, data in json_script."""
    from conftest import ROOT

    found = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if {".venv", "var"} & set(path.relative_to(ROOT).parts):
            continue
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
            if "application/json" not in match.group(1):
                found.append(f"{path.relative_to(ROOT)}: inline <script>")
        found += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(r"\son[a-z]+=", text)]
    assert found == []
