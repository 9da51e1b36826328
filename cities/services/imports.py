"""Importing services: one pipeline for the admin, the import_services command and the demo.

A file (CSV or GeoJSON) is read into records, every record is checked, and only when all are
good is anything written, in one transaction: a failed import leaves the previous data intact.
An import is the complete list of one `source`: rows are matched to the stored services of that
source by their `id` (updated in place), new ones are added and the ones no longer listed removed.

Columns (CSV header or GeoJSON properties): id, name_be, name_ru, name_en (one at least),
category (a slug), address, phone, website, email, opening_hours, wheelchair; a CSV has lon/lat
(or WKT) columns, a GeoJSON file Point geometries.

A row placed at (0, 0) (a missing position written as zeros) or outside Belarus is a data error
of the source, not a service of this portal: it is skipped, named with its reason in the report,
and the rest is imported (a stray point would also stretch every map and extent to the world).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from geoportal.gis.files import FileRefused
from geoportal.gis.staging import staged_file

from ..models import ServiceCategory, ServiceLocation
from ..permissions import managed_by, managed_city_ids

# Sent after an import has written its services (in bulk, so without post_save): the search
# index (geoportal/search/index.py) reads them again.
services_imported = Signal()

EDITABLE = ["address", "phone", "website", "email", "opening_hours", "wheelchair"]
SERVICE_FORMATS = {".csv", ".geojson", ".json"}
STORED = [*EDITABLE, "name_be", "name_ru", "name_en", "category", "location"]
COMPARED = [name if name != "category" else "category_id" for name in STORED]
MAX_ERRORS = 20
# Belarus' extent (Natural Earth 10m admin-0, cities/data) with 0.05 degrees around it, so that a
# station on the border is not lost to the outline's generalisation: (west, south, east, north).
COUNTRY_BOUNDS = (23.11, 51.18, 32.77, 56.21)


@dataclass
class Record:
    row: int
    values: dict
    location: Point | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: list[str] = field(default_factory=list)

    def __str__(self):
        text = _("%(created)d added, %(updated)d updated, %(deleted)d removed") % {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
        }
        if self.skipped:
            text += "; " + _("%(count)d skipped: %(rows)s") % {
                "count": len(self.skipped), "rows": "; ".join(self.skipped)}  # fmt: skip
        return text


def misplaced(record):
    """Why a record's point is no position in Belarus, or None when it is one."""
    point = record.location
    if point is None:
        return None
    lon, lat = point.x, point.y
    if lon == 0 and lat == 0:
        return _("position (0, 0): no position given")
    west, south, east, north = COUNTRY_BOUNDS
    if not (west <= lon <= east and south <= lat <= north):
        return _("position (%(lon)s, %(lat)s) is outside Belarus") % {"lon": lon, "lat": lat}
    return None


def _row_label(record):
    values = record.values
    name = values.get("name_be") or values.get("name_ru") or values.get("name_en") or ""
    label = _("row %(row)d") % {"row": record.row}
    details = ", ".join(part for part in (values.get("id", ""), name) if part)
    return f"{label} ({details})" if details else label


def point_or_none(lon, lat):
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return Point(lon, lat, srid=4326)


def read_service_file(path):
    """The records of a CSV (lon/lat or WKT columns) or GeoJSON file, read by the shared
    staging reader (geoportal.gis: encoding, CRS and coordinate-column detection, reprojection
    to EPSG:4326), then taken from the staging table in file order."""
    if Path(path).suffix.lower() not in SERVICE_FORMATS:
        raise FileRefused(_("Expected a .csv or .geojson file."))
    with staged_file(path) as staged:
        if staged.geometry_column is None:
            raise FileRefused(_("The file has no point coordinates."))
        with connection.cursor() as cursor:
            # Only points have coordinates here; other geometries are reported per row.
            geom = staged.geometry_column
            cursor.execute(
                f"SELECT CASE WHEN GeometryType({geom}) = 'POINT' THEN ST_X({geom}) END, "
                f"CASE WHEN GeometryType({geom}) = 'POINT' THEN ST_Y({geom}) END, "
                f"(to_jsonb(t) - %s - %s)::text "
                f"FROM {staged.table} t ORDER BY {staged.fid_column}",
                [geom, staged.fid_column],
            )
            rows = cursor.fetchall()
    # Data rows of a CSV start on line 2, after the header; features are counted from 1.
    first = 2 if Path(path).suffix.lower() == ".csv" else 1
    records = []
    for number, (x, y, text) in enumerate(rows, start=first):
        props = json.loads(text)
        values = {str(k).strip(): "" if v is None else str(v).strip() for k, v in props.items()}
        location = point_or_none(x, y)
        records.append(Record(number, values, location))
    return records


def _service(record, categories, source):
    """An unsaved ServiceLocation from a record, or the list of what is wrong with it."""
    values = record.values
    errors = []
    category = categories.get(values.get("category", ""))
    if category is None:
        errors.append(_("unknown category “%(slug)s”") % {"slug": values.get("category", "")})
    if record.location is None:
        errors.append(_("no valid point (longitude, latitude in degrees)"))
    names = [values.get(f"name_{lang}", "") for lang in ("be", "ru", "en")]
    if not any(names):
        errors.append(_("no name"))
    # A name missing in one language falls back to the others, as on the pages.
    name_be = names[0] or names[1] or names[2]
    name_ru = names[1] or names[0] or names[2]
    name_en = names[2] or names[0] or names[1]
    service = ServiceLocation(
        **{k: values.get(k, "") for k in EDITABLE},
        name_be=name_be,
        name_ru=name_ru,
        name_en=name_en,
        category=category,
        location=record.location,
        source=source,
        external_id=values.get("id", ""),
    )
    service.wheelchair = service.wheelchair or ServiceLocation.Wheelchair.UNKNOWN
    # What was reported above is not reported again; the category's FK check would also cost a
    # query per row.
    exclude = ["category", "location"]
    if not any(names):
        exclude += ["name_be", "name_ru", "name_en"]
    try:
        service.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors += [f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items()]
    return service, errors


def import_services(records, *, source, user=None):
    """Check every record, then replace the services of `source` with them, all or nothing.
    With a `user`, every service must fall in a city the user manages."""
    if not source:
        raise FileRefused(_("A source is required."))
    categories = {c.slug: c for c in ServiceCategory.objects.all()}
    services, errors, seen, skipped = [], [], set(), []
    for record in records:
        if reason := misplaced(record):
            skipped.append(f"{_row_label(record)}: {reason}")
            continue
        service, problems = _service(record, categories, source)
        if service.external_id and service.external_id in seen:
            problems.append(_("id “%(id)s” repeated") % {"id": service.external_id})
        seen.add(service.external_id)
        errors += [(record.row, problem) for problem in problems]
        services.append(service)
    if not services:
        errors.append(_("The file has no services."))
    if errors:
        raise FileRefused(*errors[:MAX_ERRORS], *_more(errors))
    with transaction.atomic():
        report = _write(services, source, user)
        services_imported.send(sender=ServiceLocation, source=source)
    report.skipped = skipped
    return report


def _more(errors):
    extra = len(errors) - MAX_ERRORS
    return [_("… and %(count)d more errors.") % {"count": extra}] if extra > 0 else []


def _write(services, source, user):
    report = ImportReport()
    stored = ServiceLocation.objects.filter(source=source)
    if user is not None:
        stored = stored.filter(managed_by(user))
    existing = {s.external_id: s for s in stored.exclude(external_id="")}
    new, changed, keep = [], [], []
    for service in services:
        old = existing.pop(service.external_id, None) if service.external_id else None
        if old is None:
            new.append(service)
            continue
        service.pk = old.pk
        keep.append(old.pk)
        if any(getattr(old, name) != getattr(service, name) for name in COMPARED):
            changed.append(service)
    report.deleted = stored.exclude(pk__in=keep).delete()[0]
    created = ServiceLocation.objects.bulk_create(new, batch_size=1000)
    ServiceLocation.objects.bulk_update(changed, STORED, batch_size=1000)
    report.created, report.updated = len(created), len(changed)
    if user is not None:
        _check_cities([s.pk for s in created] + [s.pk for s in changed], user)
    return report


def _check_cities(pks, user):
    """After the write (the database has assigned the cities): refuse services outside the
    user's cities. Raising inside the transaction undoes the whole import."""
    allowed = managed_city_ids(user)
    if allowed is None:
        return
    outside = ServiceLocation.objects.filter(pk__in=pks).exclude(city_id__in=allowed)
    if outside.exists():
        names = ", ".join(outside.values_list("name_en", flat=True)[:5])
        raise FileRefused(
            _("%(count)d services fall outside the cities you manage: %(names)s")
            % {"count": outside.count(), "names": names}
        )
