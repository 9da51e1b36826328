"""The OpenAPI documents tell the truth: schemathesis runs every operation of the REST API
(/api/v1/schema/) and of the OGC API (/ogc/api) against the live test server, with all of its
checks (responses and their status codes, content types and headers against the documents;
schema-valid requests accepted and schema-invalid ones refused; 405 with Allow for undeclared
methods; auth as declared; never a 500), through the same engine as its command line, and
expects 0 failures.

Four tolerances, each for something a JSON Schema cannot state, and no wider than that:
- a schema-valid request may be refused with a 400 that names only parameters whose validity
  depends on more than their type and bounds: a bbox's corners in order and in range, a CQL2
  filter, an RFC 3339 datetime, a point's range, a slug that must name an existing record;
- a 2xx for a value above the maximum of a parameter that the standard (OGC API - Features
  `limit`) or the documentation (`page_size`) says is clamped, not refused;
- a 2xx for an optional query parameter given empty (`page=`): read as absent, as Django's
  forms and DRF's pagination read it;
- OPTIONS on an OGC item resource lists the methods this client may use (RFC 9110 lets Allow
  depend on the request; QGIS offers editing from it): its Allow may leave out documented
  write methods that need a token or session, and nothing else.
"""

import json

import pytest
import schemathesis
from schemathesis.engine import events, from_schema
from schemathesis.specs.openapi import checks

pytestmark = pytest.mark.django_db(transaction=True)

# Examples per operation and phase: enough to find what the issue found, short on 2 cores.
CONFIG = """
# Generous: the suite shares two cores with others.
request-timeout = 120

[generation]
max-examples = 3
# The same examples on every run: a failure is the code's, not the draw's.
deterministic = true

[phases.stateful]
enabled = false
"""
GRAMMAR_PARAMETERS = {"bbox", "filter", "datetime", "near", "city", "category"}
CLAMPED = {"limit", "page_size"}


def named_parameters(response):
    """The parameters a 400 body names: REST {"detail": {name: ...}}, OGC "name: message"."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return set()
    if isinstance(body.get("detail"), dict):
        return {name.strip() for key in body["detail"] for name in key.split(",")}
    description = str(body.get("description", ""))
    return {part.split(":", 1)[0].strip() for part in description.split("; ") if ":" in part}


@schemathesis.check
def positive_data_acceptance_beyond_json_schema(ctx, response, case):
    if response.status_code == 400 and named_parameters(response) <= GRAMMAR_PARAMETERS:
        return None
    return checks.positive_data_acceptance(ctx, response, case)


@schemathesis.check
def negative_data_rejection_but_clamped(ctx, response, case):
    query = case.query or {}
    if 200 <= response.status_code < 300 and (
        CLAMPED & set(query) or any(value == "" for value in query.values())
    ):
        return None
    return checks.negative_data_rejection(ctx, response, case)


@schemathesis.check
def allow_header_conformance_for_this_client(ctx, response, case):
    try:
        return checks.allow_header_conformance(ctx, response, case)
    except checks.AllowHeaderMismatch as mismatch:
        item = case.operation.schema.raw_schema["paths"][case.operation.path]
        writes_needing_auth = {
            method.upper() for method, operation in item.items()
            if method in ("post", "put", "patch", "delete")
            and {} not in operation.get("security", [{}])
        }  # fmt: skip
        if mismatch.undocumented_methods or not set(mismatch.missing_methods) <= (
            writes_needing_auth
        ):
            raise
        return None


@pytest.fixture
def api_data(demo, minsk_points, ready_layer):
    """Something behind every operation: the demo regions and cities, a few services, a layer
    and a layer with a time, the indicator catalogue with sample values."""
    from django.contrib.gis.geos import Point

    from cities.indicators.demo import load as load_indicators
    from cities.models import ServiceCategory, ServiceLocation
    from cities.services.demo import load_categories

    load_categories()
    for i, category in enumerate(ServiceCategory.objects.filter(parent__isnull=False)[:4]):
        ServiceLocation.objects.create(
            name_be=f"Тэст {i}", name_ru=f"Тест {i}", name_en=f"Test {i} (sample)",
            category=category, location=Point(27.55 + i / 100, 53.9, srid=4326), source="test",
        )  # fmt: skip
    load_indicators()
    ready_layer(
        "dated-points",
        [("POINT(27.5 53.9)", {"name": "a", "day": "2024-05-01"}),
         ("POINT(27.6 53.9)", {"name": "b", "day": "2025-05-01"})],
        attributes=[{"name": "name", "type": "string"}, {"name": "day", "type": "date"}],
        time_attribute="day",
    )  # fmt: skip


@pytest.fixture
def unthrottled(settings):
    settings.RATE_LIMITS = {scope: "1000000/minute" for scope in settings.RATE_LIMITS}


def failures(schema_url, base_url):
    config = schemathesis.Config.from_str(CONFIG)
    schema = schemathesis.openapi.from_url(schema_url, config=config, timeout=120)
    schema.config.update(base_url=base_url)
    schema.config.checks.update(
        excluded_check_names=[
            "positive_data_acceptance",
            "negative_data_rejection",
            "allow_header_conformance",
        ]
    )
    found = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for nodes in event.recorder.checks.values():
                found += [
                    f"{event.recorder.label}: {node.name}: {node.failure_info.failure.title}\n"
                    f"{node.failure_info.failure.message}\n{node.failure_info.code_sample}"
                    for node in nodes
                    if node.failure_info is not None
                ]
        # Django's test server (http.server) answers a request line it cannot parse with a bare
        # error page and no status line; that is the test server, not the API.
        elif isinstance(event, events.NonFatalError) and "BadStatusLine" not in repr(event.value):
            found.append(f"{event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            found.append(repr(event.exception))
    return sorted(set(found))


def test_rest_api_schema_tells_the_truth(live_server, api_data, unthrottled):
    found = failures(f"{live_server.url}/api/v1/schema/?format=json", live_server.url)
    assert not found, f"{len(found)} failures:\n\n" + "\n\n".join(found)


def test_ogc_api_document_tells_the_truth(live_server, api_data, unthrottled):
    found = failures(f"{live_server.url}/ogc/api?f=json", f"{live_server.url}/ogc")
    assert not found, f"{len(found)} failures:\n\n" + "\n\n".join(found)
