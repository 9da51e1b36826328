"""Hypothesis drives every GET operation of the REST API's OpenAPI schema and the OGC API's
endpoints with hostile values (NUL bytes, huge numbers, quotes and backslashes, paths and URLs,
mistyped CQL2 literals) against the live test server: no answer may be a 5xx.

The examples are derandomised (the same every run, so a failure is reproducible) and bounded,
so that the test takes well under a minute on two busy cores."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 120
NASTY = [
    "\x00", "a\x00b", "%00", "'", "''", "\\", "a\\", "' OR 1=1 --", "\"", "<script>x</script>",
    "99999999999999999999", "-99999999999999999999", "1e400", "-1", "0", "NaN", "inf", "",
    " ", "../../etc/passwd", "/vsicurl/http://127.0.0.1:9/x", "CSV:/etc/passwd", "%", "_",
    "1,2,3", "1,2,3,4", "-1e308,-1e308,1e308,1e308", "181,91,182,92", "EPSG:32635",
    "http://www.opengis.net/def/crs/EPSG/0/28405", "2020-13-45", "99999-01-01",
]  # fmt: skip
hostile = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(NASTY).map(lambda text: f"{text}\x00"),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
)
LITERALS = [
    "'abc'", "5", "-5.5", "99999999999999999999", "'2020-13-45'", "DATE('2020-01-01')",
    "TIMESTAMP('2020-01-01T00:00:00Z')", "TRUE", "'\\'", "NULL", "POINT(27.5 53.9)",
    "('a', 'b')", "('a')", "1e400", "'\x00'",
]  # fmt: skip
OPERATORS = ["=", "<>", "<", ">=", "LIKE", "NOT LIKE", "IN", "BETWEEN 1 AND", "IS NULL --"]
SPATIAL = [
    "S_INTERSECTS(geometry, POINT(27.5 53.9))",
    "S_WITHIN(geometry, BBOX(-1e8,-1e8,1e8,1e8))",
    "S_INTERSECTS(geometry, POINT('a' 'b'))",
    "S_CONTAINS(geometry, POLYGON((0 0, 1 1, 0 0)))",
]
JSON_FILTERS = [
    {"op": "in", "args": [{"property": "slug"}, "minsk"]},
    {"op": ">", "args": [{"property": "population"}, "abc"]},
    {"op": "like", "args": [{"property": "name_be"}, 5]},
    {"op": "s_intersects", "args": [{"property": "geometry"},
                                    {"type": "Point", "coordinates": ["27", "53"]}]},
    {"op": "and", "args": []},
    {"op": "between", "args": [{"property": "rank"}, "a", {"x": 1}]},
]  # fmt: skip


def cql2(properties):
    text = st.builds(
        lambda prop, op, lit: f"{prop} {op} {lit}",
        st.sampled_from([*properties, "nope", '"a b"']),
        st.sampled_from(OPERATORS),
        st.sampled_from(LITERALS),
    )
    return st.one_of(
        text,
        st.lists(text, min_size=2, max_size=4).map(" AND ".join),
        st.sampled_from(SPATIAL),
        st.sampled_from(JSON_FILTERS).map(json.dumps),
        hostile,
    )


def get(base, path, params):
    url = f"{base}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - local server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def segment(value):
    return urllib.parse.quote(value, safe="")


@pytest.fixture
def server(live_server, minsk_points, demo, settings):
    settings.RATE_LIMITS = {scope: "1000000/minute" for scope in settings.RATE_LIMITS}
    return live_server.url


def rest_operations(base):
    with urllib.request.urlopen(f"{base}/api/v1/schema/?format=json") as response:  # noqa: S310
        schema = json.loads(response.read())
    operations = []
    for path, methods in schema["paths"].items():
        if "get" not in methods:
            continue
        parameters = methods["get"].get("parameters", [])
        query = [p["name"] for p in parameters if p["in"] == "query"]
        operations.append((path, query))
    return operations


def test_the_rest_api_never_answers_5xx(server):
    operations = rest_operations(server)
    assert len(operations) > 10
    known = st.sampled_from(["minsk", "minsk-points", "railway-station", "1"])
    slugs = st.one_of(known, known.map(lambda slug: f"{slug}\x00"), hostile)
    failures = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def run(data):
        path, names = data.draw(st.sampled_from(operations))
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + segment(data.draw(slugs)) + path[end + 1 :]
        chosen = data.draw(st.lists(st.sampled_from([*names, "prop.name", "prop.99999999999"]),
                                    max_size=4, unique=True)) if names else []  # fmt: skip
        params = {name: data.draw(hostile) for name in chosen}
        status = get(server, path, params)
        if status >= 500:
            failures.append((status, path, params))

    run()
    assert failures == []


OGC_PATHS = [
    "/ogc/collections/{c}/items", "/ogc/collections/{c}/items", "/ogc/collections/{c}/items",
    "/ogc/collections/{c}/items/{f}", "/ogc/collections/{c}", "/ogc/collections/{c}/queryables",
    "/ogc/collections/{c}/tiles", "/ogc/", "/ogc/collections", "/ogc/api",
]  # fmt: skip
OGC_PARAMS = ["limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang",
              "filter-crs", "properties", "f"]  # fmt: skip


def test_the_ogc_api_never_answers_5xx(server):
    collections = ["cities", "regions", "services", "minsk-points"]
    queryables = ["name", "rank", "score", "kind", "population", "slug", "updated", "name_be"]
    failures = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def run(data):
        path = data.draw(st.sampled_from(OGC_PATHS))
        known = st.sampled_from(collections)
        collection = data.draw(st.one_of(known, known, known.map(lambda c: f"{c}\x00"), hostile))
        path = path.replace("{c}", segment(collection))
        path = path.replace("{f}", segment(data.draw(st.one_of(st.just("1"), hostile))))
        names = data.draw(st.lists(st.sampled_from(OGC_PARAMS + queryables), max_size=4,
                                   unique=True))  # fmt: skip
        params = {}
        for name in names:
            strategy = cql2(queryables) if name == "filter" else hostile
            params[name] = data.draw(strategy)
        status = get(server, path, params)
        if status >= 500:
            failures.append((status, path, params))

    run()
    assert failures == []
