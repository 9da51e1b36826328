"""CSV export of indicator values, in the columns the importer reads back (plus labels)."""

import csv
import io

COLUMNS = [
    "city", "indicator", "year", "subseries", "value", "source", "verified", "sample",
    "computed", "method", "indicator_name", "unit",
]  # fmt: skip


def _yes_no(flag):
    return "yes" if flag else "no"


def values_csv(values):
    """CSV text of an IndicatorValue queryset (select_related city and indicator)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for value in values:
        writer.writerow([
            value.city.slug, value.indicator.code, value.year, value.subseries, value.value,
            value.source, _yes_no(value.verified), _yes_no(value.is_sample),
            _yes_no(value.is_computed), value.method, value.indicator.name_en,
            value.indicator.unit_en,
        ])  # fmt: skip
    return out.getvalue()
