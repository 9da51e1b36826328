"""What an edit may write. Attributes are checked against the layer's schema (the types its
import recorded, and the choices a planner set); geometries are checked in PostGIS: a GeoJSON
geometry, valid, inside Belarus and of the layer's geometry type (single parts become multi
where the layer holds multi geometries). A refusal is an EditRefused with a plain message.
"""

import json
import math
from datetime import date, datetime

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

GEOJSON_TYPES = {
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
}  # fmt: skip
# The layer's geometry type (layers/imports/pipeline.py LAYER_TYPES) -> the types an edit may
# bring, and whether they are made multi.
ACCEPTED = {
    "Point": ({"Point"}, False),
    "MultiPoint": ({"Point", "MultiPoint"}, True),
    "MultiLineString": ({"LineString", "MultiLineString"}, True),
    "MultiPolygon": ({"Polygon", "MultiPolygon"}, True),
}
MAX_TEXT = 10_000


class EditRefused(Exception):
    """An edit that cannot be made: `status` is its HTTP status, `code` the API error code."""

    def __init__(self, message, status=400, code="invalid"):
        super().__init__(message)
        self.status = status
        self.code = code


def _refuse_attribute(name, message):
    return EditRefused(_("%(name)s: %(message)s") % {"name": name, "message": message})


def _text_ok(text):
    return "\x00" not in text and len(text) <= MAX_TEXT


def check_value(name, kind, value, choices=None):
    """The value as stored (None, str, int, float, bool), or EditRefused."""
    if value is None:
        return None
    if isinstance(value, str) and not _text_ok(value):
        raise _refuse_attribute(name, _("text with a NUL character or too long"))
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
            raise _refuse_attribute(name, _("a whole number is expected"))
    elif kind in ("number", "real", "float", "double"):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise _refuse_attribute(name, _("a number is expected"))
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _refuse_attribute(name, _("yes or no (true or false) is expected"))
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            raise _refuse_attribute(name, _("a date (YYYY-MM-DD) is expected")) from None
    elif kind == "datetime":
        try:
            datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise _refuse_attribute(
                name, _("a date and time (YYYY-MM-DDTHH:MM) is expected")
            ) from None
    elif not isinstance(value, str):
        raise _refuse_attribute(name, _("text is expected"))
    if choices and value not in choices:
        raise _refuse_attribute(
            name, _("one of: %(choices)s") % {"choices": ", ".join(map(str, choices))}
        )
    return value


def check_properties(layer, properties):
    """The properties as stored, each checked against the layer's schema; EditRefused for an
    attribute the layer has not, or a value of the wrong type."""
    if not isinstance(properties, dict):
        raise EditRefused(_("The properties must be a JSON object."))
    schema = {a["name"]: a.get("type", "string") for a in layer.attributes}
    choices = layer.attribute_choices or {}
    checked = {}
    for name, value in properties.items():
        if name not in schema:
            raise EditRefused(
                _("The layer has no attribute %(name)s. Its attributes: %(names)s")
                % {"name": name[:100], "names": ", ".join(schema) or "—"}
            )
        checked[name] = check_value(name, schema[name], value, choices.get(name))
    return checked


def _numbers_only(coordinates, depth=0):
    """GeoJSON coordinates hold numbers only (PostGIS reads a string as 0), at most 4 deep."""
    if isinstance(coordinates, list) and depth < 4:
        return all(_numbers_only(item, depth + 1) for item in coordinates)
    return (
        isinstance(coordinates, int | float)
        and not isinstance(coordinates, bool)
        and math.isfinite(coordinates)
    )


def check_geometry(layer, geometry, *, srid=4326, flip_axes=False, inside_country=True):
    """The GeoJSON geometry (in `srid`, axes flipped if the CRS is northing first) as the EWKB
    hex of the EPSG:4326 geometry to store; EditRefused when PostGIS finds it unfit."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOJSON_TYPES:
        raise EditRefused(_("The geometry must be a GeoJSON geometry (Point, LineString, ...)."))
    parts = geometry.get("geometries") if geometry["type"] == "GeometryCollection" else [geometry]
    if not isinstance(parts, list) or not all(
        isinstance(part, dict) and _numbers_only(part.get("coordinates")) for part in parts
    ):
        raise EditRefused(_("The geometry's coordinates must be numbers."))
    accepted, make_multi = ACCEPTED.get(layer.geometry_type, (GEOJSON_TYPES, False))
    if geometry["type"] not in accepted:
        raise EditRefused(
            _("This layer holds %(expected)s; a %(given)s cannot be added to it.")
            % {"expected": layer.geometry_type, "given": geometry["type"]}
        )
    text = json.dumps(geometry)
    geom = "ST_SetSRID(ST_GeomFromGeoJSON(%(geojson)s), %(srid)s)"
    if flip_axes:
        geom = f"ST_FlipCoordinates({geom})"
    geom = f"ST_Force2D(ST_Transform({geom}, 4326))"
    if make_multi:
        geom = f"ST_Multi({geom})"
    sql = f"""
        WITH g AS (SELECT {geom} AS g),
             country AS (SELECT ST_Union(geom) AS c FROM cities_region)
        SELECT ST_IsEmpty(g), ST_IsValid(g), ST_IsValidReason(g), ST_Covers(c, g),
               encode(ST_AsEWKB(g), 'hex')
        FROM g, country"""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"geojson": text, "srid": srid})
            empty, valid, reason, inside, ewkb = cursor.fetchone()
    except DatabaseError:
        raise EditRefused(_("The geometry could not be read: check its coordinates.")) from None
    if empty:
        raise EditRefused(_("The geometry is empty."))
    if not valid:
        raise EditRefused(_("The geometry is not valid: %(reason)s") % {"reason": reason})
    # Without the regions loaded (a bare database) there is no country to check against.
    if inside is False and inside_country:
        raise EditRefused(_("The geometry is outside Belarus."))
    return ewkb
