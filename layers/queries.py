"""The one feature query: the REST API, the OGC API and the downloads all select a layer's features
here, and all build GeoJSON the same way, in PostGIS (ST_AsGeoJSON), not through Python geometries.

A page of the APIs is one query (FeatureQuery.page): the features, how many match where that is
cheap (a window over the matches, or the count the import stored), and, when the layer comes as
an in-process record (layers/access.py), the check that the record is still the layer's row.
"""

import json
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import AsGeoJSON, GeoFunc, Transform
from django.contrib.gis.geos import Polygon
from django.db.models import BooleanField, Count, Func, IntegerField, Q, TextField, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.db.models.lookups import Exact

from . import access
from .models import Feature, Layer


class PropertyValue(KeyTransform):
    """properties -> 'name' (jsonb), the name always a key: Django's KeyTransform reads a name of
    digits as an array index, so an attribute called "2024" would never match and
    prop.99999999999999999999 would overflow PostgreSQL's integer."""

    def as_postgresql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        return f"({lhs} {self.postgres_operator} %s::text)", (*params, str(self.key_name))


class PropertyText(PropertyValue):
    """properties ->> 'name' (text), the name always a key."""

    postgres_operator = KeyTextTransform.postgres_operator
    output_field = TextField()


def etag_sql(alias):
    """A feature's ETag (after its id): a digest of its geometry and properties, so that it
    changes with any edit (OGC API Part 4's If-Match, the layer page's editing)."""
    return f"md5(ST_AsEWKB({alias}.geom) || convert_to({alias}.properties::text, 'UTF8'))"


class FeatureDigest(Func):
    """etag_sql() in a feature query (the ORM's, whose table has no alias)."""

    template = etag_sql(Feature._meta.db_table)
    output_field = TextField()


# Up to about this many matches a page counts them in its own query (a window over the matches,
# which a bbox page visits anyway). Past it the count is left out where the caller allows (OGC
# API - Features Part 1 makes numberMatched optional), as a page of a big layer without a narrow
# bbox would otherwise read every match to return a hundred.
CHEAP_COUNT = 10_000

# 7 decimals of a degree is about 1 cm: more is noise, fewer loses survey precision. In a
# projected CRS the unit is the metre, and 3 decimals are a millimetre.
GEOJSON_PRECISION = 7
PROJECTED_PRECISION = 3


class FlipCoordinates(GeoFunc):
    """ST_FlipCoordinates: for CRSs whose first axis is latitude or northing (EPSG:4326 itself,
    the Gauss-Kruger systems) when a client asks for the authority's axis order."""

    function = "ST_FlipCoordinates"


def geometry_json(expression, *, srid=4326, flip_axes=False, geographic=True):
    """The PostGIS expression turning a 4326 geometry into GeoJSON text in `srid`."""
    if srid != 4326:
        expression = Transform(expression, srid)
    if flip_axes:
        expression = FlipCoordinates(expression)
    precision = GEOJSON_PRECISION if geographic else PROJECTED_PRECISION
    return AsGeoJSON(expression, precision=precision)


def text_match(text):
    """A Q() keeping the features with `text` in any of their values: contains, case- and
    accent-insensitive (PostgreSQL's unaccent), the words of `text` in any order."""
    match = Q()
    for word in text.replace("\x00", "").split()[:10]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        match &= Q(
            RawSQL(
                "EXISTS (SELECT 1 FROM jsonb_each_text(layers_feature.properties) AS kv "
                "WHERE unaccent(kv.value) ILIKE unaccent(%s))",
                [pattern],
                output_field=BooleanField(),
            )
        )
    return match


@dataclass
class FeatureQuery:
    """Which features of a layer: a bbox (EPSG:4326 unless the polygon carries another SRID,
    which PostGIS then transforms), equality filters on properties, and any further Q() (an OGC
    API filter, say). Always ordered by id, so that pages are stable."""

    layer: Layer | access.LayerAccess
    bbox: Polygon | None = None
    properties: dict[str, str] = field(default_factory=dict)
    extra: Q = field(default_factory=Q)

    def queryset(self):
        qs = Feature.objects.filter(layer_id=self.layer.pk)
        if isinstance(self.layer, access.LayerAccess):
            qs = qs.filter(self.layer.unchanged())
        if self.bbox is not None:
            qs = qs.filter(geom__bboverlaps=self.bbox).filter(geom__intersects=self.bbox)
        for name, value in self.properties.items():
            # properties ->> name = value, compared as text whatever the JSON type; the key is
            # passed as a parameter, never spliced into SQL.
            qs = qs.filter(Exact(PropertyText(name, "properties"), str(value)))
        return qs.filter(self.extra).order_by("id")

    def count(self):
        """How many features match; with no condition at all, the count the import stored (it
        is written in the same transaction as the features), so no count query runs."""
        if self._unconditional():
            return self.layer.feature_count
        return self.queryset().count()

    def _unconditional(self):
        return self.bbox is None and not self.properties and not self.extra

    def _matches_at_most(self):
        """An upper bound of the matches, guessed cheaply: the layer's count, times the share of
        its extent the bbox covers (features spread evenly: a guess, which only picks between
        counting and not)."""
        total, extent, bbox = self.layer.feature_count, self.layer.extent, self.bbox
        if bbox is None or extent is None or bbox.srid not in (None, 4326):
            return total
        (xmin, ymin, xmax, ymax), box = getattr(extent, "extent", extent), bbox.extent
        area = (xmax - xmin) * (ymax - ymin)
        width = min(xmax, box[2]) - max(xmin, box[0])
        height = min(ymax, box[3]) - max(ymin, box[1])
        if area <= 0:
            return total
        return total * max(width, 0) * max(height, 0) / area

    def page(self, *, offset, limit, select=None, exact=True, **geometry_options):
        """(the Feature texts of one page, how many features match) in one query. The count is
        the stored one without conditions, else a window over the matches when they are few
        (CHEAP_COUNT) or `exact` asks; else None unless the page itself tells (a last page).
        An empty page from an in-process record checks the record (access.LayerChanged)."""
        unconditional = self._unconditional()
        counted = not unconditional and (exact or self._matches_at_most() <= CHEAP_COUNT)
        rows = self._checked_rows(offset, limit, select, geometry_options, with_count=counted)
        features = [row[0] for row in rows]
        if unconditional:
            matched = self.layer.feature_count
        elif rows and counted:
            matched = rows[0][1]
        elif (rows and len(rows) < limit) or (not rows and offset == 0):
            matched = offset + len(rows)
        else:
            matched = self.count() if exact else None  # past the last page: a rare second query
        return features, matched

    def feature(self, pk, **geometry_options):
        """(GeoJSON Feature text, ETag) of the feature `pk` among the matches, or (None, None),
        in one query; the ETag is the one editing compares If-Match with (etag_sql)."""
        query = FeatureQuery(self.layer, self.bbox, self.properties, self.extra & Q(pk=pk))
        rows = query._checked_rows(0, 1, None, geometry_options, with_etag=True)
        return (rows[0][0], rows[0][2]) if rows else (None, None)

    def _checked_rows(self, offset, limit, select, geometry_options, **columns):
        rows = list(self._rows(offset, limit, select, geometry_options, **columns))
        if not rows and isinstance(self.layer, access.LayerAccess):
            access.reload(self.layer)
        return rows

    def geojson_features(
        self, *, offset=0, limit=None, select=None, chunk_size=2000, **geometry_options
    ):
        """Each feature as GeoJSON text, built in PostGIS; `select` keeps only those properties;
        `geometry_options` (srid, flip_axes, geographic) go to geometry_json()."""
        for feature, _, _ in self._rows(offset, limit, select, geometry_options, chunk_size):
            yield feature

    def _rows(
        self, offset, limit, select, geometry_options, chunk_size=2000, *, with_count=False,
        with_etag=False,
    ):  # fmt: skip
        """(Feature text, count of the matches or None, ETag or None) of each feature."""
        qs = self.queryset()
        if limit is not None:
            qs = qs[offset : offset + limit]
        elif offset:
            qs = qs[offset:]
        rows = qs.annotate(
            geometry_json=geometry_json("geom", **geometry_options),
            properties_json=Cast("properties", TextField()),
            matched=Window(Count("id")) if with_count else Value(None, IntegerField()),
            etag=FeatureDigest() if with_etag else Value(""),
        ).values_list("id", "geometry_json", "properties_json", "matched", "etag")
        # Joining the page in PostgreSQL (string_agg of the feature texts) measured slower than
        # these three columns and an f-string: 23-35 ms against 20-21 ms a 1000-feature page.
        # A page is fetched at once; only unbounded reads (downloads) stream through a
        # server-side cursor, whose DECLARE/FETCH round trips would slow every API page.
        rows = rows.iterator(chunk_size=chunk_size) if limit is None else rows
        for fid, geometry, properties, matched, etag in rows:
            if select is not None:
                properties = json.dumps(
                    {k: v for k, v in json.loads(properties).items() if k in select},
                    ensure_ascii=False,
                )
            text = f'{{"type":"Feature","id":{fid},"geometry":{geometry},"properties":{properties}'
            yield f"{text}}}", matched, etag and f'"{fid}-{etag}"'


def feature_collection(features):
    """The pieces of a GeoJSON FeatureCollection around features' GeoJSON texts (from
    FeatureQuery.geojson_features), to stream or write without holding them all."""
    yield '{"type":"FeatureCollection","features":['
    for index, feature in enumerate(features):
        yield ("," if index else "") + feature
    yield "]}"
