"""Setting a city's boundary from a planner's file.

The file (GeoJSON, zipped Shapefile or GeoPackage) is read with GDAL and reprojected to EPSG:4326;
PostGIS then checks it: every polygon valid, the union a (multi)polygon that contains the city's
point. Only then is the boundary saved, with its source and date; on any error nothing changes.
"""

import datetime
import zipfile
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException, OGRGeomType
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.utils.translation import gettext as _

POLYGON_TYPES = {OGRGeomType("Polygon").num, OGRGeomType("MultiPolygon").num}


class BoundaryError(ValueError):
    """A boundary file or geometry that cannot become a city's boundary; the message says why."""


def _gdal_path(path):
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise BoundaryError(_("The file is empty or missing."))
    if path.suffix.lower() == ".zip":
        if not zipfile.is_zipfile(path):
            raise BoundaryError(_("The file is not a valid zip archive."))
        with zipfile.ZipFile(path) as archive:
            shapefiles = [n for n in archive.namelist() if n.lower().endswith(".shp")]
        if not shapefiles:
            raise BoundaryError(_("The zip archive contains no .shp file."))
        return f"/vsizip/{path}/{shapefiles[0]}"
    if path.suffix.lower() not in {".geojson", ".json", ".gpkg", ".shp"}:
        raise BoundaryError(
            _("Unsupported file type %(ext)s: use GeoJSON, a zipped Shapefile or a GeoPackage.")
            % {"ext": path.suffix or "?"}
        )
    return str(path)


def read_boundary_file(path):
    """The polygons of the file's first polygon layer, as EPSG:4326 WKB."""
    try:
        source = DataSource(_gdal_path(path))
    except GDALException as exc:
        raise BoundaryError(_("GDAL cannot read the file: %(error)s") % {"error": exc}) from exc
    for layer in source:
        if OGRGeomType(layer.geom_type.num % 1000).num not in POLYGON_TYPES:
            continue
        if layer.srs is None:
            raise BoundaryError(
                _("The file states no coordinate reference system (for a Shapefile: no .prj).")
            )
        polygons = []
        for feature in layer:
            geom = feature.geom
            if geom is None:
                continue
            geom.transform(4326)
            polygons.append(bytes(geom.wkb))
        if polygons:
            return polygons
    raise BoundaryError(_("The file contains no polygon."))


def set_boundary(city, polygons_wkb, source, date=None):
    """Validate the polygons in PostGIS and make their union the city's boundary."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH parts AS (
                SELECT ST_SetSRID(ST_Force2D(ST_GeomFromWKB(wkb)), 4326) AS g
                FROM unnest(%s::bytea[]) AS wkb
            ), checked AS (
                SELECT bool_and(ST_IsValid(g)) AS valid,
                       string_agg(CASE WHEN NOT ST_IsValid(g) THEN ST_IsValidReason(g) END, '; ')
                           AS reason,
                       ST_Multi(ST_Union(g)) AS geom
                FROM parts
            )
            SELECT valid, reason,
                   CASE WHEN valid THEN ST_AsEWKB(geom) END,
                   CASE WHEN valid THEN ST_Contains(geom, ST_GeomFromEWKB(%s)) END,
                   CASE WHEN valid THEN GeometryType(geom) END
            FROM checked
            """,
            [list(polygons_wkb), bytes(city.location.ewkb)],
        )
        valid, reason, ewkb, contains_point, geom_type = cursor.fetchone()
    if not valid:
        raise BoundaryError(
            _("The boundary is not a valid polygon: %(reason)s") % {"reason": reason}
        )
    if geom_type != "MULTIPOLYGON":
        raise BoundaryError(_("The boundary must be a polygon."))
    if not contains_point:
        raise BoundaryError(
            _("The boundary does not contain the point of %(city)s.") % {"city": city.name}
        )
    with transaction.atomic():
        city.boundary = GEOSGeometry(memoryview(ewkb))
        city.boundary_source = source
        city.boundary_date = date or datetime.date.today()
        city.save(update_fields=["boundary", "boundary_source", "boundary_date"])
    city.refresh_from_db(fields=["area_km2"])
    return city


def set_boundary_from_file(city, path, source, date=None):
    return set_boundary(city, read_boundary_file(path), source, date)
