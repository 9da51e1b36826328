"""The collections of the OGC API, pygeoapi-style: one provider interface, several backends.

A provider answers the same questions for any collection: its metadata and extent, what may be
filtered (queryables), how a spatial predicate reads for its geometry, how many items match, and
the items themselves as GeoJSON text built by PostGIS. The views (views.py) only speak to
this interface. Backends: a map layer (through the one FeatureQuery of layers/queries.py), and a
model table (regions, cities and the city services).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.gis.db.models import Extent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import DateTimeField, F, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cities.models import City, Region, ServiceLocation

from .. import access
from ..models import Layer
from ..permissions import visible_layers
from ..queries import FeatureQuery, geometry_json
from .cql2 import GEOMETRY, Queryable

# The attribute types the import pipeline records (OGR field types, lower-cased) -> JSON Schema.
ATTRIBUTE_TYPES = {
    "integer": ("integer", None), "integer64": ("integer", None), "int": ("integer", None),
    "real": ("number", None), "float": ("number", None), "double": ("number", None),
    "number": ("number", None), "boolean": ("boolean", None), "bool": ("boolean", None),
    "date": ("string", "date"), "datetime": ("string", "date-time"),
    "timestamp": ("string", "date-time"),
}  # fmt: skip


@dataclass(frozen=True)
class TimeInterval:
    """The `datetime` parameter: from `start` to `end` (either open when None); the end itself
    belongs to it for an instant, not for the day after a date."""

    start: datetime | None
    end: datetime | None
    end_inclusive: bool = True

    def q(self, moment):
        """The items whose time (the expression `moment`) falls in the interval."""
        q = Q()
        if self.start is not None:
            q &= Q(GreaterThanOrEqual(moment, self.start))
        if self.end is not None:
            q &= Q((LessThanOrEqual if self.end_inclusive else LessThan)(moment, self.end))
        return q


@dataclass
class Selection:
    """One request's choice of items: the bbox (any SRID), a Q from the filter, equality filters
    on queryables given as query parameters, and the `datetime` interval."""

    bbox: object = None
    filter: Q = field(default_factory=Q)
    properties: dict = field(default_factory=dict)
    time: TimeInterval | None = None


class Provider:
    id: str
    title: str
    description: str = ""
    keywords: list = []
    geometry_format = "geometry-any"
    # The queryable that `datetime` filters on (its instant), or None: the collection has no time.
    temporal: str | None = None

    def time_q(self, selection):
        """The Q of the `datetime` interval, on the collection's time (Q() without one)."""
        if selection.time is None or self.temporal is None:
            return Q()
        return selection.time.q(self.moment())

    def moment(self):
        """The SQL expression of an item's time."""
        raise NotImplementedError

    def extent(self):
        """[minx, miny, maxx, maxy] in CRS84, or None."""
        raise NotImplementedError

    def queryables(self) -> dict[str, Queryable]:
        raise NotImplementedError

    def spatial(self, op, geometry) -> Q:
        raise NotImplementedError

    def page(self, selection: Selection, *, offset, limit, select=None, **geometry_options):
        """(GeoJSON Feature texts, ordered stably; how many items match, or None where counting
        would cost more than the page: Part 1 makes numberMatched optional); `select` keeps
        only those properties."""
        raise NotImplementedError

    def feature(self, feature_id, **geometry_options):
        """(one GeoJSON Feature text, its ETag or None), or (None, None)."""
        raise NotImplementedError


class LayerProvider(Provider):
    """A map layer: its features, through the one FeatureQuery. `layer` is a Layer, or for the
    items the layer's in-process record (layers/access.py), which the feature query checks."""

    def __init__(self, layer: Layer | access.LayerAccess):
        self.layer = layer
        self.id = layer.slug
        self.title = layer.title
        self.description = layer.abstract
        self.keywords = list(layer.keywords)
        kind = (layer.geometry_type or "").lower().replace("multi", "")
        if kind in ("point", "linestring", "polygon"):
            self.geometry_format = f"geometry-{kind}-or-multi{kind}"
        if layer.time_attribute in layer.time_attributes():
            self.temporal = layer.time_attribute

    def moment(self):
        # Only a date or date-time attribute can be the layer's time (Layer.clean): its values
        # were written by PostgreSQL from a typed column, so the cast cannot fail.
        return Cast(KeyTextTransform(self.temporal, "properties"), DateTimeField())

    def extent(self):
        extent = self.layer.extent  # a Polygon on a Layer, (xmin, ymin, xmax, ymax) on a record
        return list(getattr(extent, "extent", extent)) if extent else None

    def queryables(self):
        result = {}
        for attribute in self.layer.attributes or []:
            name = attribute.get("name")
            if not name or name == GEOMETRY:
                continue
            kind, fmt = ATTRIBUTE_TYPES.get(
                str(attribute.get("type", "")).lower(), ("string", None)
            )
            role = "primary-instant" if name == self.temporal else None
            result[name] = Queryable(name, kind, name, None, fmt, role)
        result[GEOMETRY] = Queryable(GEOMETRY, GEOMETRY, str(_("Geometry")), "geom",
                                     self.geometry_format)  # fmt: skip
        return result

    def spatial(self, op, geometry):
        return Q(**{f"geom__{op}": geometry})

    def _query(self, selection):
        return FeatureQuery(
            self.layer, bbox=selection.bbox, properties=selection.properties,
            extra=selection.filter & self.time_q(selection),
        )  # fmt: skip

    def page(self, selection, *, offset, limit, select=None, **geometry_options):
        return self._query(selection).page(
            offset=offset, limit=limit, select=select, exact=False, **geometry_options
        )

    def feature(self, feature_id, **geometry_options):
        try:
            pk = int(feature_id)
        except ValueError:
            return None, None
        return FeatureQuery(self.layer).feature(pk, **geometry_options)


class ModelProvider(Provider):
    """A table of the portal's own models; `properties` maps output names to ORM paths."""

    model = None
    id_field = "slug"
    properties: dict[str, str] = {}
    geometry_field = "geom"

    def queryset(self):
        return self.model.objects.all()

    def geometry(self):
        return F(self.geometry_field)

    def extent(self):
        box = self.queryset().aggregate(box=Extent(self.geometry_field))["box"]
        return list(box) if box else None

    def queryables(self):
        result = {}
        for name, path in self.properties.items():
            model_field = self._model_field(path)
            kind, fmt = _schema_type(model_field)
            role = "primary-instant" if name == self.temporal else None
            result[name] = Queryable(name, kind, str(model_field.verbose_name), path, fmt, role)
        result[GEOMETRY] = Queryable(GEOMETRY, GEOMETRY, str(_("Geometry")), self.geometry_field,
                                     self.geometry_format)  # fmt: skip
        return result

    def spatial(self, op, geometry):
        return Q(**{f"{self.geometry_field}__{op}": geometry})

    def moment(self):
        return F(self.properties[self.temporal])

    def _model_field(self, path):
        model = self.model
        *relations, last = path.split("__")
        for name in relations:
            model = model._meta.get_field(name).related_model
        return model._meta.get_field(last)

    def _selected(self, selection):
        qs = self.queryset()
        if selection.bbox is not None:
            qs = qs.filter(self.spatial("intersects", selection.bbox))
        queryables = self.queryables()
        for name, value in selection.properties.items():
            # Query parameters are text: compare as text, whatever the column's type.
            qs = qs.filter(Exact(queryables[name].text(), str(value)))
        return qs.filter(selection.filter & self.time_q(selection))

    def _render(self, qs, geometry_options, select=None):
        rows = qs.annotate(_geometry=geometry_json(self.geometry(), **geometry_options)).values(
            "_geometry", self.id_field, *self.properties.values()
        )
        names = [name for name in self.properties if select is None or name in select]
        for row in rows:
            properties = json.dumps(
                {name: row[self.properties[name]] for name in names},
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
            )
            yield (
                f'{{"type":"Feature","id":{json.dumps(row[self.id_field])},'
                f'"geometry":{row["_geometry"]},"properties":{properties}}}'
            )

    def page(self, selection, *, offset, limit, select=None, **geometry_options):
        selected = self._selected(selection)
        qs = selected.order_by(self.id_field)[offset : offset + limit]
        return list(self._render(qs, geometry_options, select)), selected.count()

    def feature(self, feature_id, **geometry_options):
        try:
            qs = self.queryset().filter(**{self.id_field: feature_id})
            return next(iter(self._render(qs, geometry_options)), None), None
        except (ValueError, DjangoValidationError):  # an id of the wrong type: no such item
            return None, None


def _schema_type(model_field):
    internal = model_field.get_internal_type()
    if internal == "GeneratedField":
        internal = model_field.output_field.get_internal_type()
    if internal.endswith(("IntegerField", "AutoField")):
        return "integer", None
    if internal in ("FloatField", "DecimalField"):
        return "number", None
    if internal == "BooleanField":
        return "boolean", None
    if internal == "DateField":
        return "string", "date"
    if internal == "DateTimeField":
        return "string", "date-time"
    return "string", None


class RegionProvider(ModelProvider):
    id = "regions"
    model = Region
    title = _("Regions of Belarus")
    description = _("The six regions (voblasts) and the city of Minsk, with their boundaries.")
    keywords = ["boundaries"]
    geometry_format = "geometry-polygon-or-multipolygon"
    properties = {
        "slug": "slug", "iso_code": "iso_code", "name_be": "name_be", "name_ru": "name_ru",
        "name_en": "name_en", "area_km2": "area_km2", "source": "source",
    }  # fmt: skip


class CityProvider(ModelProvider):
    """Cities: the published boundary where there is one, else the point."""

    id = "cities"
    model = City
    title = _("Cities of Belarus")
    description = _("Cities and towns: boundary where published, else the centre point.")
    keywords = ["location"]
    properties = {
        "slug": "slug", "name_be": "name_be", "name_ru": "name_ru", "name_en": "name_en",
        "region": "region__slug", "kind": "kind", "population": "population",
        "population_year": "population_year", "population_source": "population_source",
        "area_km2": "area_km2", "boundary_source": "boundary_source",
        "platform_status": "platform_status", "platform_launch_year": "platform_launch_year",
    }  # fmt: skip

    def geometry(self):
        return City.shape()

    def extent(self):
        box = City.objects.aggregate(box=Extent("location"))["box"]
        return list(box) if box else None

    def queryables(self):
        result = super().queryables()
        result[GEOMETRY] = Queryable(GEOMETRY, GEOMETRY, str(_("Geometry")), "location")
        return result

    def spatial(self, op, geometry):
        return City.shape_lookup(op, geometry)


class ServiceProvider(ModelProvider):
    """City services (cities.models.ServiceLocation): points with contacts and opening hours."""

    id = "services"
    model = ServiceLocation
    id_field = "id"
    geometry_field = "location"
    geometry_format = "geometry-point"
    temporal = "updated"
    title = _("City services")
    description = _("Where citizens find services: stops, clinics, schools, pharmacies...")
    keywords = ["location", "society"]
    properties = {
        "name_be": "name_be", "name_ru": "name_ru", "name_en": "name_en",
        "category": "category__slug", "city": "city__slug", "address": "address",
        "phone": "phone", "website": "website", "email": "email",
        "opening_hours": "opening_hours", "wheelchair": "wheelchair", "source": "source",
        "updated": "updated",
    }  # fmt: skip


BUILT_IN = [RegionProvider, CityProvider, ServiceProvider]


def collections(user):
    """Every collection this user may see: the built-in tables, then the ready visible layers."""
    providers = [provider() for provider in BUILT_IN]
    taken = {provider.id for provider in providers}
    layers = visible_layers(user).order_by("slug")
    providers += [LayerProvider(layer) for layer in layers if layer.slug not in taken]
    return providers


def collection_or_404(user, collection_id, *, record=False):
    """collection(), or a 404 naming the collection."""
    provider = collection(user, collection_id, record=record)
    if provider is None:
        raise Http404(_("No collection %(id)s.") % {"id": collection_id})
    return provider


def collection(user, collection_id, *, record=False):
    """The provider of one collection, or None if there is none the user may see. With
    `record`, a layer's provider is built from its in-process record (access.for_features): only
    for an answer that comes from the feature query, which checks the record (the items views,
    decorated with access.answered_again)."""
    if "\x00" in collection_id:  # PostgreSQL text cannot hold it: no such collection
        return None
    for provider in BUILT_IN:
        if provider.id == collection_id:
            return provider()
    if record:
        layer = access.for_features(user, collection_id)
    else:
        layer = visible_layers(user).filter(slug=collection_id).first()
    return LayerProvider(layer) if layer else None
