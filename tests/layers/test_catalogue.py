import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point, Polygon

from layers.models import Layer


def points(n, props=lambda i: {"name": f"p{i}"}):
    return [(Point(27.5 + i * 0.001, 53.9, srid=4326), props(i)) for i in range(n)]


@pytest.fixture
def layers(layer_with_features, demo):
    from cities.models import City

    minsk, brest = City.objects.get(slug="minsk"), City.objects.get(slug="brest")
    schools = layer_with_features(
        "schools", points(3), title_en="Schools", title_ru="Школы", title_be="Школы",
        abstract_en="General education schools", keywords=["education", "kids"],
        topic_category="society", city=minsk,
    )  # fmt: skip
    square = Polygon.from_bbox((23.6, 52.0, 23.8, 52.2))
    square.srid = 4326
    parks = layer_with_features(
        "parks", [(square, {"name": "Park"})], title_en="Green areas", title_be="Паркі",
        title_ru="Парки", keywords=["recreation"], topic_category="environment", city=brest,
    )  # fmt: skip
    secret = layer_with_features(
        "secret-pipes", points(2), title_en="Secret pipes", keywords=["education"],
        is_public=False, city=minsk,
    )  # fmt: skip
    return schools, parks, secret


def slugs(response):
    return [layer.slug for layer in response.context["page"]]


@pytest.mark.django_db
def test_search_matches_title_abstract_and_keywords_in_all_languages(client, layers):
    assert slugs(client.get("/en/layers/", {"q": "schools"})) == ["schools"]
    assert slugs(client.get("/en/layers/", {"q": "Школы"})) == ["schools"]
    assert slugs(client.get("/en/layers/", {"q": "general education"})) == ["schools"]
    assert slugs(client.get("/en/layers/", {"q": "RECREATION"})) == ["parks"]
    assert slugs(client.get("/en/layers/", {"q": "Паркі"})) == ["parks"]
    assert slugs(client.get("/en/layers/", {"q": "nothing-like-this"})) == []


@pytest.mark.django_db
def test_filters_by_category_city_and_geometry(client, layers):
    assert slugs(client.get("/en/layers/", {"category": "environment"})) == ["parks"]
    assert slugs(client.get("/en/layers/", {"city": "minsk"})) == ["schools"]
    assert slugs(client.get("/en/layers/", {"geometry": "polygon"})) == ["parks"]
    assert slugs(client.get("/en/layers/", {"geometry": "point"})) == ["schools"]


@pytest.mark.django_db
def test_sorting_by_title_and_newest(client, layers):
    assert slugs(client.get("/en/layers/", {"sort": "title"})) == ["parks", "schools"]
    Layer.objects.get(slug="parks").save()  # now the most recently updated
    assert slugs(client.get("/en/layers/", {"sort": "newest"})) == ["parks", "schools"]
    Layer.objects.get(slug="schools").save()
    assert slugs(client.get("/en/layers/"))[0] == "schools"


@pytest.mark.django_db
def test_results_show_thumbnail_count_city_and_category(client, layers):
    html = client.get("/en/layers/", {"q": "schools"}).content.decode()
    assert "/layers/schools/thumbnail.svg" in html
    assert "3 features" in html
    assert "Minsk" in html
    assert "Society" in html
    svg = client.get("/en/layers/schools/thumbnail.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b'<path d="M' in svg.content


@pytest.mark.django_db
def test_pagination(client, layer_with_features):
    for i in range(15):
        layer_with_features(f"layer-{i:02d}", points(1))
    first = client.get("/en/layers/", {"sort": "title"})
    assert len(slugs(first)) == 12
    second = client.get("/en/layers/", {"sort": "title", "page": 2})
    assert slugs(second) == ["layer-12", "layer-13", "layer-14"]


@pytest.mark.django_db
def test_private_layer_only_for_its_planners(client, layers):
    assert "secret-pipes" not in slugs(client.get("/en/layers/", {"q": "education"}))
    assert client.get("/en/layers/secret-pipes/").status_code == 404
    minsk = layers[0].city
    planner = User.objects.create_user("planner", is_staff=True)
    planner.groups.add(minsk.planners)
    client.force_login(planner)
    assert "secret-pipes" in slugs(client.get("/en/layers/", {"q": "education"}))
    assert client.get("/en/layers/secret-pipes/").status_code == 200


@pytest.mark.django_db
def test_private_layer_absent_everywhere_for_the_anonymous(client, layers):
    for url in (
        "/en/layers/secret-pipes/",
        "/en/layers/secret-pipes/table.json",
        "/en/layers/secret-pipes/thumbnail.svg",
        "/en/layers/secret-pipes/download/geojson/",
        "/tiles/secret-pipes.json",
        "/tiles/secret-pipes/14/9446/5268.pbf",
    ):
        assert client.get(url).status_code == 404, url
    listed = client.get("/en/layers/map.json").json()
    slugs = [layer["slug"] for group in listed["groups"] for layer in group["layers"]]
    assert sorted(slugs) == ["parks", "schools"]


@pytest.mark.django_db
def test_attribute_table_sorts_filters_and_gives_bounding_boxes(client, layer_with_features):
    layer_with_features(
        "trees", [(Point(27 + i / 10, 53, srid=4326), {"kind": k, "age": a})
                  for i, (k, a) in enumerate([("oak", 120), ("lime", 9), ("oak", 30)])],
        attributes=[{"name": "kind", "type": "string"}, {"name": "age", "type": "integer"}],
    )  # fmt: skip
    data = client.get("/en/layers/trees/table.json", {"sort": "age"}).json()
    assert [row["properties"]["age"] for row in data["rows"]] == [9, 30, 120]  # numeric order
    assert data["rows"][0]["bbox"] == pytest.approx([27.1, 53, 27.1, 53])
    data = client.get("/en/layers/trees/table.json", {"sort": "-age", "column": "kind",
                                                      "value": "oak"}).json()  # fmt: skip
    assert (data["count"], [r["properties"]["age"] for r in data["rows"]]) == (2, [120, 30])
