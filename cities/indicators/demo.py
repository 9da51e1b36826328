"""Demo data for the indicators: the catalogue, a small set of SAMPLE values and targets (every
one flagged is_sample and shown as such), and the KPIs computed from the map. Idempotent."""

import csv

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from ..models import City, Indicator, Target
from .catalogue import DATA_DIR, load_catalogue
from .imports import import_values
from .kpis import recompute

SAMPLE_VALUES = DATA_DIR / "indicator_sample_values.csv"
SAMPLE_TARGETS = DATA_DIR / "indicator_sample_targets.csv"


def load_sample_targets():
    cities = {city.slug: city for city in City.objects.all()}
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    with open(SAMPLE_TARGETS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        Target.objects.update_or_create(
            city=cities[row["city"]],
            indicator=indicators[row["indicator"]],
            defaults={
                "baseline_year": int(row["baseline_year"]),
                "baseline_value": float(row["baseline_value"]),
                "target_year": int(row["target_year"]),
                "target_value": float(row["target_value"]),
                "source": row["source"],
                "is_sample": row["sample"] == "yes",
            },
        )
    return len(rows)


def grant_planners():
    """Planners record their city's figures and targets (the admin keeps them to that city)."""
    permissions = Permission.objects.filter(
        content_type__app_label="cities",
        codename__regex=r"^(add|change|delete|view)_(indicatorvalue|target)$|^view_indicator$",
    )
    for group in Group.objects.filter(planned_city__isnull=False):
        group.permissions.add(*permissions)


@transaction.atomic
def load(stdout=None):
    indicators = load_catalogue()
    values = import_values(SAMPLE_VALUES.read_bytes())
    targets = load_sample_targets()
    grant_planners()
    computed = recompute()
    if stdout:
        stdout.write(
            f"indicators: {len(indicators)} in the catalogue, {len(values.rows)} sample values, "
            f"{targets} sample targets, {len(computed.saved)} computed values"
        )
