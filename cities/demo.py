"""The Belarus demo data: the 7 regions and the programme's 17 cities, from the open data
shipped in cities/data (see cities/data/SOURCES.md). Idempotent: a second run updates in place."""

import json
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import transaction
from django.utils.text import slugify

from .boundaries import set_boundary
from .models import City, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
NATURAL_EARTH = "Natural Earth 10m admin-1 (public domain)"
GEONAMES = "GeoNames, CC BY 4.0"
OSM = "© OpenStreetMap contributors, ODbL"

# Belarusian and English names of the regions, by ISO 3166-2 code (Natural Earth has neither in
# Belarusian Cyrillic, and its type_en swaps Minsk oblast and Minsk city: the code is trusted).
REGION_NAMES = {
    "BY-BR": ("Брэсцкая вобласць", "Брестская область", "Brest Region"),
    "BY-HO": ("Гомельская вобласць", "Гомельская область", "Gomel Region"),
    "BY-HR": ("Гродзенская вобласць", "Гродненская область", "Grodno Region"),
    "BY-MA": ("Магілёўская вобласць", "Могилёвская область", "Mogilev Region"),
    "BY-MI": ("Мінская вобласць", "Минская область", "Minsk Region"),
    "BY-VI": ("Віцебская вобласць", "Витебская область", "Vitebsk Region"),
    "BY-HM": ("Горад Мінск", "Город Минск", "City of Minsk"),
}

# The programme's own English names (the data's Latin names are BGN/PCGN transliterations).
CITY_ENGLISH = {
    "Минск": "Minsk",
    "Брест": "Brest",
    "Витебск": "Vitebsk",
    "Гомель": "Gomel",
    "Гродно": "Grodno",
    "Могилёв": "Mogilev",
    "Орша": "Orsha",
    "Барановичи": "Baranovichi",
    "Пинск": "Pinsk",
    "Новополоцк": "Novopolotsk",
    "Полоцк": "Polotsk",
    "Мозырь": "Mozyr",
    "Лида": "Lida",
    "Борисов": "Borisov",
    "Солигорск": "Soligorsk",
    "Молодечно": "Molodechno",
    "Бобруйск": "Bobruisk",
}
OBLAST_CENTRES = {"Brest", "Vitebsk", "Gomel", "Grodno", "Mogilev"}
# Minsk's city limits are the City of Minsk region: the one open city boundary we have.
MINSK_BOUNDARY_REGION = "BY-HM"


def _features(filename):
    with open(DATA_DIR / filename, encoding="utf-8") as fh:
        return json.load(fh)["features"]


def _multipolygon(geometry):
    geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    return MultiPolygon(geom, srid=4326) if geom.geom_type == "Polygon" else geom


def load_regions():
    regions = []
    for feature in _features("ne10m_admin1_belarus.geojson"):
        props = feature["properties"]
        code = props["iso_3166_2"]
        name_be, name_ru, name_en = REGION_NAMES[code]
        region, _ = Region.objects.update_or_create(
            iso_code=code,
            defaults={
                "slug": slugify(name_en),
                "name_be": name_be,
                "name_ru": name_ru,
                "name_en": name_en,
                "geom": _multipolygon(feature["geometry"]),
                "source": NATURAL_EARTH,
            },
        )
        regions.append(region)
    return regions


def _planner_group(city):
    group, _ = Group.objects.get_or_create(name=f"Planners: {city.name_en}")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["layers", "cities"],
            codename__regex=r"^(add|change|delete|view)_(layer|layerversion|feature)$|^view_city$",
        )
    )
    return group


def load_cities():
    cities = []
    for feature in _features("target_cities_17.geojson"):
        props = feature["properties"]
        name_en = CITY_ENGLISH[props["name_ru"]]
        point = Point(*feature["geometry"]["coordinates"], srid=4326)
        kind = (
            City.Kind.CAPITAL
            if name_en == "Minsk"
            else City.Kind.OBLAST_CENTRE
            if name_en in OBLAST_CENTRES
            else City.Kind.GROWTH_CENTRE
        )
        city, _ = City.objects.update_or_create(
            slug=slugify(name_en),
            defaults={
                "name_be": props["name_be_osm"],
                "name_ru": props["name_ru"],
                "name_en": name_en,
                # The region is the one whose polygon contains the point, asked of PostGIS.
                "region": Region.objects.get(geom__contains=point),
                "kind": kind,
                "population": props["geonames_population"],
                "population_source": GEONAMES,
                "location": point,
                "location_source": OSM,
                "osm_node": props["osm_node"],
                "geonames_id": props["geonameid"],
            },
        )
        if city.planners_id is None:
            city.planners = _planner_group(city)
            city.save(update_fields=["planners"])
        cities.append(city)
    minsk = City.objects.get(slug="minsk")
    if minsk.boundary is None or minsk.boundary_source.startswith("Natural Earth"):
        region = Region.objects.get(iso_code=MINSK_BOUNDARY_REGION)
        set_boundary(minsk, region.geom, f"{NATURAL_EARTH}, BY-HM")
    return cities


@transaction.atomic
def load(stdout=None):
    regions = load_regions()
    cities = load_cities()
    editors, _ = Group.objects.get_or_create(name="Portal editors")
    editors.permissions.add(Permission.objects.get(codename="manage_all_cities"))
    if stdout:
        stdout.write(f"cities: {len(regions)} regions, {len(cities)} cities")
