import pytest

pytestmark = pytest.mark.django_db


def test_cities_are_a_geojson_feature_collection(client, demo):
    body = client.get("/api/v1/cities/").json()
    assert body["type"] == "FeatureCollection"
    assert body["count"] == 17 and len(body["features"]) == 17
    by_slug = {f["id"]: f for f in body["features"]}
    minsk, pinsk = by_slug["minsk"], by_slug["pinsk"]
    assert minsk["geometry"]["type"] == "MultiPolygon"
    assert minsk["properties"]["geometry_source"] == "boundary"
    assert minsk["properties"]["area_km2"] > 300
    assert pinsk["geometry"]["type"] == "Point"
    assert pinsk["properties"]["geometry_source"] == "point"
    assert pinsk["properties"]["area_km2"] is None
    assert pinsk["properties"]["region"] == "brest-region"
    assert pinsk["properties"]["url"].endswith("/cities/pinsk/")


def test_city_detail_and_unknown_slug(client, demo):
    grodno = client.get("/api/v1/cities/grodno/").json()
    assert grodno["type"] == "Feature" and grodno["id"] == "grodno"
    assert grodno["properties"]["name_be"] == "Гродна"
    response = client.get("/api/v1/cities/atlantis/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_names_follow_the_requested_language(client, demo):
    ru = client.get("/api/v1/cities/vitebsk/", HTTP_ACCEPT_LANGUAGE="ru").json()
    en = client.get("/api/v1/cities/vitebsk/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert ru["properties"]["name"] == "Витебск"
    assert en["properties"]["name"] == "Vitebsk"


def test_bbox_filter(client, demo):
    # A box around the Brest oblast's south-west: Brest and Pinsk, nothing else.
    body = client.get("/api/v1/cities/?bbox=23.4,51.8,26.3,52.3").json()
    assert {f["id"] for f in body["features"]} == {"brest", "pinsk"}
    # Minsk has a boundary: a box touching only its edge still finds it.
    body = client.get("/api/v1/cities/?bbox=27.40,53.85,27.45,53.95").json()
    assert [f["id"] for f in body["features"]] == ["minsk"]


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "30,50,20,55", "0,0,500,10", "nan,1,2,3"])
def test_bad_bbox_is_a_400_with_a_message(client, demo, bbox):
    response = client.get(f"/api/v1/cities/?bbox={bbox}")
    assert response.status_code == 400
    assert "bbox" in response.json()["detail"]  # the API's one error format


def test_pagination(client, demo):
    first = client.get("/api/v1/cities/?page_size=5").json()
    assert first["count"] == 17 and len(first["features"]) == 5
    assert first["previous"] is None and "page=2" in first["next"]
    last = client.get("/api/v1/cities/?page_size=5&page=4").json()
    assert len(last["features"]) == 2 and last["next"] is None
    seen = {
        f["id"]
        for n in (1, 2, 3, 4)
        for f in client.get(f"/api/v1/cities/?page_size=5&page={n}").json()["features"]
    }
    assert len(seen) == 17
    assert client.get("/api/v1/cities/?page=9").status_code == 404


def test_regions(client, demo):
    body = client.get("/api/v1/regions/").json()
    assert body["type"] == "FeatureCollection" and body["count"] == 7
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in body["features"])
    region = client.get("/api/v1/regions/city-of-minsk/").json()
    assert region["properties"]["iso_code"] == "BY-HM"
    east = client.get("/api/v1/regions/?bbox=31.5,52,32,52.5").json()
    assert [f["id"] for f in east["features"]] == ["gomel-region"]
