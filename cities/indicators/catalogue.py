"""The indicator catalogue, shipped as data in cities/indicators/data: the ITU U4SSC KPIs
(u4ssc_kpis.csv) and the portal's own count-based indicators (geoportal_kpis.csv). Idempotent:
a second load updates the rows in place, keyed by code."""

import csv
from pathlib import Path

from django.db import transaction

from ..models import Indicator

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILES = ["u4ssc_kpis.csv", "geoportal_kpis.csv"]
U4SSC_SOURCE = (
    "ITU, Collection Methodology for Key Performance Indicators for Smart Sustainable Cities "
    "(U4SSC, 2017), based on Recommendation ITU-T Y.4903/L.1603"
)
GEOPORTAL_SOURCE = "Smart Cities of Belarus geoportal: counted from the city services on the map"
_BOOL = {"yes": True, "no": False, "": None}


def _split(text):
    return [part.strip() for part in text.split("|") if part.strip()]


def read_catalogue(path):
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _fields(row):
    u4ssc = row["framework"] == Indicator.Framework.U4SSC
    fields = {
        key: row[key]
        for key in [
            "framework", "dimension", "sub_dimension", "category", "tier", "kind",
            "unit_be", "unit_ru", "unit_en", "name_be", "name_ru", "name_en",
            "definition_be", "definition_ru", "definition_en",
        ]
    }  # fmt: skip
    fields["higher_is_better"] = _BOOL[row["higher_is_better"]]
    fields["sdg_targets"] = _split(row["sdg_targets"])
    fields["subseries"] = _split(row["subseries"])
    fields["catalogue_source"] = U4SSC_SOURCE if u4ssc else GEOPORTAL_SOURCE
    return fields


@transaction.atomic
def load_catalogue(files=CATALOGUE_FILES):
    indicators = []
    for name in files:
        for row in read_catalogue(DATA_DIR / name):
            indicator, _ = Indicator.objects.update_or_create(
                code=row["code"], defaults=_fields(row)
            )
            indicators.append(indicator)
    return indicators
