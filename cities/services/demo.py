"""The services demo data: the service categories, Belarus' railway stations and stops, and
Minsk's public transport stops, from the files in cities/services/data (see docs/services.md
for their sources, licences and quirks). The rows go through the same import code as an
uploaded file. Other categories start empty: no service is invented. Idempotent."""

import csv
from pathlib import Path

from django.contrib.auth.models import Permission
from django.db import transaction

from ..models import City, ServiceCategory
from .imports import Record, import_services, point_or_none
from .sources import MINSK_STOPS_SOURCE, RAILWAY_SOURCE

DATA_DIR = Path(__file__).resolve().parent / "data"
RAILWAY_FILE = "railway_stations_belarus.tsv"
MINSK_STOPS_FILE = "minsk_transit_stops.csv"
# Minsk stop coordinates are degrees times 100,000 (2790844 is 27.90844).
MINSK_STOPS_SCALE = 100_000

# slug: (parent slug, icon, colour, name_be, name_ru, name_en)
CATEGORIES = {
    "transport": (None, "⇄", "#1565c0", "Транспарт", "Транспорт", "Transport"),
    "public-transport-stop": (
        "transport", "⇄", "#1565c0",
        "Прыпынак грамадскага транспарту", "Остановка общественного транспорта",
        "Public transport stop",
    ),
    "railway-station": (
        "transport", "≡", "#4e342e",
        "Чыгуначная станцыя", "Железнодорожная станция", "Railway station",
    ),
    "health": (None, "✚", "#c62828", "Ахова здароўя", "Здравоохранение", "Health"),
    "clinic": ("health", "✚", "#c62828", "Паліклініка", "Поликлиника", "Clinic"),
    "hospital": ("health", "H", "#b71c1c", "Бальніца", "Больница", "Hospital"),
    "pharmacy": ("health", "℞", "#2e7d32", "Аптэка", "Аптека", "Pharmacy"),
    "education": (None, "✎", "#6a1b9a", "Адукацыя", "Образование", "Education"),
    "school": ("education", "✎", "#6a1b9a", "Школа", "Школа", "School"),
    "kindergarten": ("education", "☺", "#8e24aa", "Дзіцячы сад", "Детский сад", "Kindergarten"),
    "university": ("education", "∑", "#4a148c", "Універсітэт", "Университет", "University"),
    "public-services": (
        None, "✉", "#ef6c00", "Дзяржаўныя паслугі", "Государственные услуги", "Public services",
    ),
    "post-office": ("public-services", "✉", "#ef6c00", "Пошта", "Почта", "Post office"),
    "public-service-centre": (
        "public-services", "i", "#e65100",
        "Служба «Адно акно»", "Служба «Одно окно»", "Public service centre",
    ),
}  # fmt: skip


def load_categories():
    for slug, (parent, icon, colour, name_be, name_ru, name_en) in CATEGORIES.items():
        ServiceCategory.objects.update_or_create(
            slug=slug,
            defaults={
                "parent": ServiceCategory.objects.get(slug=parent) if parent else None,
                "icon": icon,
                "colour": colour,
                "name_be": name_be,
                "name_ru": name_ru,
                "name_en": name_en,
            },
        )


def railway_records():
    """Tab-separated, CRLF; the "correct" Russian and Belarusian names are sometimes empty, then
    the older name stands in. The station code is the id (the OSM node id is 0 for some); the
    one row without a code is matched by its name. Four rows have no position in Belarus (two at
    0, 0, one at 21.6 E, one in Ukraine): the import skips and names them."""
    with open(DATA_DIR / RAILWAY_FILE, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            name_ru = row["Па-расейску правільнае"] or row["Па-расейску старое"]
            values = {
                "id": row["Код"] or f"name:{name_ru}",
                "name_be": row["Па-беларуску правільнае"] or name_ru,
                "name_ru": name_ru,
                "category": "railway-station",
            }
            yield Record(number, values, point_or_none(row["lon"], row["lat"]))


def minsk_stop_records():
    """`;`-separated with a BOM; Lng/Lat are degrees x 100,000; an empty Name repeats the previous
    row's name; 0;0 means no position: the import skips those rows and names them."""
    previous_name = ""
    with open(DATA_DIR / MINSK_STOPS_FILE, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            name = row["Name"].strip() or previous_name
            previous_name = name
            lon, lat = int(row["Lng"]), int(row["Lat"])
            values = {"id": row["ID"], "name_ru": name, "category": "public-transport-stop"}
            yield Record(
                number, values, point_or_none(lon / MINSK_STOPS_SCALE, lat / MINSK_STOPS_SCALE)
            )


def grant_planners():
    """Planners edit their cities' services (cities.permissions limits them to their cities)."""
    permissions = Permission.objects.filter(
        content_type__app_label="cities",
        codename__in=[
            "add_servicelocation", "change_servicelocation", "delete_servicelocation",
            "view_servicelocation", "view_servicecategory",
        ],
    )  # fmt: skip
    for city in City.objects.exclude(planners=None).select_related("planners"):
        city.planners.permissions.add(*permissions)


@transaction.atomic
def load(stdout=None):
    load_categories()
    grant_planners()
    railway = import_services(railway_records(), source=RAILWAY_SOURCE)
    stops = import_services(minsk_stop_records(), source=MINSK_STOPS_SOURCE)
    if stdout:
        stdout.write(f"services: railway stations {railway}")
        stdout.write(f"services: Minsk stops {stops}")
    return railway, stops
