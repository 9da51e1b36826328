"""CSV import of indicator values: every row is checked first, and either all rows are saved or
none (a file with one bad row changes nothing). The admin and the demo loader both use this.

Columns: city (slug), indicator (code as ITU writes it, or its URL slug), year, value, source,
and optionally subseries, verified (yes/no), sample (yes/no)."""

import csv
import io
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from geoportal.gis.delimited import delimiter
from geoportal.gis.files import FileRefused

from ..models import City, Indicator, IndicatorValue
from ..models.indicators import COMPUTED
from ..permissions import managed_city_ids

REQUIRED_COLUMNS = ["city", "indicator", "year", "value", "source"]
_YES_NO = {"": False, "yes": True, "no": False, "true": True, "false": False, "1": True, "0": False}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    rows: list = field(default_factory=list)


def _read_rows(data):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileRefused(_("The file is not UTF-8 text.")) from exc
    data = data.lstrip("\ufeff")
    header_line = data.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(data), delimiter=delimiter(header_line))
    columns = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise FileRefused((1, _("Missing columns: %s.") % ", ".join(missing)))
    reader.fieldnames = columns
    return list(reader)


def _clean_row(raw, cities, indicators):
    """The row as IndicatorValue fields, or raises ValueError with a readable message."""
    row = {key: (value or "").strip() for key, value in raw.items() if key}
    problems = []
    city = cities.get(row["city"])
    if city is None:
        problems.append(_("unknown city “%s”") % row["city"])
    indicator = indicators.get(row["indicator"]) or indicators.get(row["indicator"].lower())
    if indicator is None:
        problems.append(_("unknown indicator “%s”") % row["indicator"])
    try:
        year = int(row["year"])
        if not 1900 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = None
        problems.append(_("year “%s” is not a year between 1900 and 2100") % row["year"])
    try:
        value = float(row["value"].replace(",", "."))
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        value = None
        problems.append(_("value “%s” is not a number") % row["value"])
    source = row["source"]
    if not source:
        problems.append(_("source is empty: cite where the figure comes from"))
    elif source.lower() == COMPUTED:
        problems.append(_("source “computed” is reserved for the portal's own computations"))
    subseries = row.get("subseries", "")
    if indicator and subseries and subseries not in indicator.subseries:
        allowed = ", ".join(indicator.subseries) or _("none")
        problems.append(
            _("sub-series “%(name)s” is not one of this indicator's (%(allowed)s)")
            % {"name": subseries, "allowed": allowed}
        )
    flags = {}
    for column, name in [("verified", "verified"), ("sample", "is_sample")]:
        text = row.get(column, "").lower()
        if text not in _YES_NO:
            problems.append(_("%(column)s must be yes or no, not “%(text)s”") % {
                "column": column, "text": row.get(column, "")})  # fmt: skip
        flags[name] = _YES_NO.get(text, False)
    if problems:
        raise ValueError("; ".join(problems))
    return {
        "city": city, "indicator": indicator, "year": year, "subseries": subseries,
        "value": value, "source": source, **flags,
    }  # fmt: skip


def import_values(data, user=None):
    """Import CSV text or bytes. Raises FileRefused with every row's problem, saving nothing.

    With a user, rows for cities that the user does not manage are refused."""
    rows = _read_rows(data)
    if not rows:
        raise FileRefused((2, _("The file has no rows.")))
    cities = {city.slug: city for city in City.objects.all()}
    indicators = {}
    for indicator in Indicator.objects.all():
        indicators[indicator.code] = indicators[indicator.slug] = indicator
    allowed = managed_city_ids(user) if user is not None else None
    errors, cleaned, seen = [], [], {}
    for number, raw in enumerate(rows, start=2):
        try:
            row = _clean_row(raw, cities, indicators)
        except ValueError as exc:
            errors.append((number, str(exc)))
            continue
        if allowed is not None and row["city"].id not in allowed:
            errors.append((number, _("you do not manage the city “%s”") % row["city"].slug))
            continue
        key = (row["city"].id, row["indicator"].id, row["year"], row["subseries"])
        if key in seen:
            errors.append((number, _("the same city, indicator, year and sub-series as row %d")
                           % seen[key]))  # fmt: skip
            continue
        seen[key] = number
        cleaned.append(row)
    if errors:
        raise FileRefused(*errors)
    result = ImportResult()
    with transaction.atomic():
        for row in cleaned:
            keys = {name: row.pop(name) for name in ["city", "indicator", "year", "subseries"]}
            obj, created = IndicatorValue.objects.update_or_create(
                **keys, defaults={**row, "method": "", "approximate": False, "computed_at": None}
            )
            result.rows.append(obj)
            if created:
                result.created += 1
            else:
                result.updated += 1
    return result
