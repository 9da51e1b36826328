"""OGC API - Features Part 3: queryables and CQL2 (text and JSON) filters, translated safely."""

import json

import pytest

from layers.models import Feature

ITEMS = "/ogc/collections/minsk-points/items"


def names(client, cql, lang=None, collection="minsk-points", key=None, **extra):
    params = {"filter": cql if isinstance(cql, str) else json.dumps(cql), "limit": 1000, **extra}
    if lang:
        params["filter-lang"] = lang
    response = client.get(f"/ogc/collections/{collection}/items", params)
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["numberMatched"] == body["numberReturned"]
    key = key or ("name" if collection == "minsk-points" else "slug")
    return sorted(f["properties"][key] for f in body["features"])


def points(*indices):
    return sorted(f"Point {i:03d}" for i in indices)


def expected(predicate):
    return points(*(i for i in range(250) if predicate(i)))


TEXT_CASES = [
    ("rank = 7", lambda i: i == 7),
    ("rank <> 7 AND rank < 10", lambda i: i < 10 and i != 7),
    ("rank >= 245", lambda i: i >= 245),
    ("score > 24.5", lambda i: i / 10 > 24.5),
    ("kind = 'park' AND rank < 12", lambda i: i % 3 == 2 and i < 12),
    ("rank < 3 OR rank > 247", lambda i: i < 3 or i > 247),
    ("NOT (rank >= 5)", lambda i: i < 5),
    ("name LIKE 'Point 1_0'", lambda i: 100 <= i < 200 and i % 10 == 0),
    ("name LIKE '%9'", lambda i: i % 10 == 9),
    ("name NOT LIKE 'Point 0%' AND rank < 105", lambda i: 100 <= i < 105),
    ("rank IN (1, 5, 300)", lambda i: i in (1, 5)),
    ("kind NOT IN ('park', 'clinic') AND rank < 10", lambda i: i % 3 == 0 and i < 10),
    ("rank BETWEEN 10 AND 13", lambda i: 10 <= i <= 13),
    ("rank NOT BETWEEN 2 AND 249", lambda i: i < 2),
    ("note IS NULL AND rank < 3", lambda i: i < 3),
    ("rank IS NOT NULL AND rank < 2", lambda i: i < 2),
    ("S_INTERSECTS(geometry, POLYGON((27.395 53.845, 27.425 53.845, 27.425 53.855, "
     "27.395 53.855, 27.395 53.845)))", lambda i: i in (0, 1, 2)),
    ("S_INTERSECTS(geometry, POINT(27.41 53.86))", lambda i: i == 26),
    ("S_INTERSECTS(geometry, BBOX(27.395, 53.845, 27.425, 53.855)) AND kind = 'school'",
     lambda i: i == 0),
    ("S_WITHIN(geometry, POLYGON((27.39 53.84, 27.43 53.84, 27.43 53.865, 27.39 53.865, "
     "27.39 53.84)))", lambda i: i in (0, 1, 2, 25, 26, 27)),
]  # fmt: skip


@pytest.mark.parametrize(("cql", "predicate"), TEXT_CASES, ids=[c for c, _ in TEXT_CASES])
def test_cql2_text(client, minsk_points, cql, predicate):
    assert names(client, cql) == expected(predicate)


JSON_CASES = [
    ({"op": "=", "args": [{"property": "kind"}, "clinic"]}, lambda i: i % 3 == 1),
    ({"op": "and", "args": [{"op": ">", "args": [{"property": "rank"}, 240]},
                            {"op": "not", "args": [{"op": "=", "args": [{"property": "rank"},
                                                                         245]}]}]},
     lambda i: i > 240 and i != 245),
    ({"op": "or", "args": [{"op": "<", "args": [{"property": "rank"}, 1]},
                           {"op": "like", "args": [{"property": "name"}, "Point 24%"]}]},
     lambda i: i == 0 or 240 <= i < 250),
    ({"op": "in", "args": [{"property": "rank"}, [3, 4]]}, lambda i: i in (3, 4)),
    ({"op": "between", "args": [{"property": "score"}, 1.0, 1.2]}, lambda i: 10 <= i <= 12),
    ({"op": "and", "args": [{"op": "isNull", "args": [{"property": "note"}]},
                            {"op": ">", "args": [{"property": "rank"}, 100]}]},
     lambda i: i > 100),
    ({"op": "s_intersects", "args": [{"property": "geometry"},
                                     {"bbox": [27.395, 53.845, 27.425, 53.855]}]},
     lambda i: i in (0, 1, 2)),
    ({"op": "s_intersects", "args": [{"property": "geometry"},
                                     {"type": "Point", "coordinates": [27.64, 53.94]}]},
     lambda i: i == 249),
]  # fmt: skip


@pytest.mark.parametrize(("cql", "predicate"), JSON_CASES, ids=range(len(JSON_CASES)))
def test_cql2_json(client, minsk_points, cql, predicate):
    assert names(client, cql, "cql2-json") == expected(predicate)
    assert names(client, cql) == expected(predicate)  # recognised without filter-lang too


def test_filter_crs(client, minsk_points):
    # The same three points, the polygon given latitude-first in EPSG:4326.
    cql = ("S_INTERSECTS(geometry, POLYGON((53.845 27.395, 53.845 27.425, 53.855 27.425, "
           "53.855 27.395, 53.845 27.395)))")  # fmt: skip
    assert names(client, cql, **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"}) == (
        points(0, 1, 2)
    )


def test_filter_on_model_collections(client, demo):
    from cities.models import City, Region

    assert names(client, "slug = 'minsk'", collection="cities") == ["minsk"]
    big = names(client, "population > 300000 AND kind IN ('capital', 'oblast_centre')",
                collection="cities")  # fmt: skip
    assert big == sorted(
        City.objects.filter(
            population__gt=300000, kind__in=["capital", "oblast_centre"]
        ).values_list("slug", flat=True)
    )
    assert "minsk" in big and "gomel" in big
    containing = Region.objects.filter(geom__intersects="SRID=4326;POINT(27.56 53.9)")
    assert containing.count() == 1
    assert names(client, "S_INTERSECTS(geometry, POINT(27.56 53.9))", collection="regions") == [
        region.slug for region in containing
    ]


@pytest.mark.parametrize(
    "cql",
    [
        "rank = ",
        "nosuchprop = 1",
        "geometry = 3",
        "rank + 1 = 3",
        "S_INTERSECTS(rank, POINT(1 2))",
        "S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 1, 1 0, 0 0)))",
        '{"op": "=", "args": [{"property": "rank"}]',
        "rank = 1; DROP TABLE layers_feature",
        "properties = 1",
    ],
)
def test_bad_filters_are_400(client, minsk_points, cql):
    response = client.get(ITEMS, {"filter": cql})
    assert response.status_code == 400, response.content
    assert json.loads(response.content)["code"] == "InvalidParameterValue"


def test_unknown_filter_language(client, minsk_points):
    assert client.get(ITEMS, {"filter": "rank = 1", "filter-lang": "ecql"}).status_code == 400


def test_literals_travel_as_parameters(client, minsk_points):
    """A quote in a literal is data, not SQL: spliced into SQL this would match every row."""
    hostile = {"op": "=", "args": [{"property": "name"}, "x' OR '1'='1"]}
    assert names(client, hostile) == []
    like = {"op": "like", "args": [{"property": "name"}, "%' OR name LIKE '%"]}
    assert names(client, like) == []
    assert Feature.objects.filter(layer=minsk_points).count() == 250


def test_queryables(client, minsk_points, demo):
    body = json.loads(client.get("/ogc/collections/minsk-points/queryables").content)
    assert body["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert body["properties"]["kind"] == {"title": "kind", "type": "string"}
    assert body["properties"]["score"]["type"] == "number"
    assert body["properties"]["geometry"]["format"] == "geometry-point-or-multipoint"
    cities = json.loads(client.get("/ogc/collections/cities/queryables").content)
    assert cities["properties"]["population"]["type"] == "integer"
    assert cities["properties"]["region"]["type"] == "string"


@pytest.fixture
def apostrophes(ready_layer):
    """Latin names with an apostrophe, as 1,603 OSM settlements of Belarus have (Gats')."""
    return ready_layer(
        "apostrophes",
        [
            (f"POINT(27.{i} 53.9)", {"name_latin": name})
            for i, name in enumerate(["Gats'", "Gats'", "Gats"])
        ],
    )


def test_a_doubled_quote_is_a_quote_in_a_text_literal(client, apostrophes):
    found = names(client, "name_latin = 'Gats'''", collection="apostrophes", key="name_latin")
    assert found == ["Gats'", "Gats'"]
    assert names(client, "name_latin IN ('Gats', 'x''y')", collection="apostrophes",
                 key="name_latin") == ["Gats"]  # fmt: skip
    assert names(client, "name_latin LIKE '%'''", collection="apostrophes",
                 key="name_latin") == ["Gats'", "Gats'"]  # fmt: skip


@pytest.mark.parametrize(
    ("cql", "count"),
    [("TRUE", 250), ("false", 0), ("(TRUE)", 250), (True, 250), (False, 0),
     ({"op": "and", "args": [True, {"op": "<", "args": [{"property": "rank"}, 3]}]}, 3),
     ({"op": "not", "args": [False]}, 250)],
)  # fmt: skip
def test_true_and_false_are_conditions(client, minsk_points, cql, count):
    assert len(names(client, cql)) == count


def test_casei_is_a_clear_400(client, minsk_points):
    for cql in (
        "CASEI(name) = casei('point 001')",
        {"op": "=", "args": [{"op": "casei", "args": [{"property": "name"}]}, "x"]},
    ):
        response = client.get(ITEMS, {"filter": cql if isinstance(cql, str) else json.dumps(cql)})
        assert response.status_code == 400
        description = json.loads(response.content)["description"]
        assert "CASEI" in description and "/ogc/conformance" in description


def test_cql_text_as_older_gdal_names_it(client, minsk_points):
    assert names(client, "rank = 7", lang="cql-text") == points(7)
