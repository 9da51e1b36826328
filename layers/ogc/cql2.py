"""OGC API - Features Part 3 filters: CQL2 text or JSON, parsed by pygeofilter, translated to a
Django Q of lookup objects (never SQL strings): property names are checked against the
collection's queryables and every literal travels as a query parameter.

A collection describes what may be filtered as Queryable objects: each knows the SQL-side
expression for its value (a model column, or `properties -> 'name'` as jsonb for a layer), and the
collection answers the spatial predicates itself, so the translation stays backend-neutral.
"""

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Polygon
from django.db.models import F, JSONField, Lookup, Q, TextField, Value
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle
from pygeofilter.parsers.cql2_json import parse as parse_cql2_json
from pygeofilter.parsers.cql2_text import parse as parse_cql2_text
from rest_framework.exceptions import ValidationError

from ..queries import PropertyText, PropertyValue
from .crs import check_in_domain

FILTER_LANGS = ("cql2-text", "cql2-json")
GEOMETRY = "geometry"


@dataclass(frozen=True)
class Queryable:
    """A filterable property: its JSON Schema type and how SQL reaches its value."""

    name: str
    type: str  # JSON Schema: string, number, integer, boolean; or "geometry"
    title: str = ""
    field: str | None = None  # a model column; None means the jsonb properties of a layer
    format: str | None = None  # "date", "date-time", or "geometry-..." for the geometry

    def value(self):
        """The expression compared with literals: the column, or `properties -> name` (jsonb,
        so numbers compare as numbers and strings as strings)."""
        if self.field is None:
            return PropertyValue(self.name, "properties")
        return F(self.field)

    def text(self):
        """The expression as text, for LIKE and IS NULL (JSON null counts as null)."""
        if self.field is None:
            return PropertyText(self.name, "properties")
        return Cast(F(self.field), TextField())

    def literal(self, value):
        """A literal as this property stores it: dates and times as ISO text, and a number
        compared with a text property as text."""
        if isinstance(value, datetime | date):
            value = value.isoformat()
        if isinstance(value, float) and not math.isfinite(value):
            raise invalid(_("Numbers in a filter must be finite."))
        check_literal_type(self, value)
        if self.type == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if self.field is None:
            return Value(value, output_field=JSONField())
        return Value(value)

    def schema(self):
        if self.type == GEOMETRY:
            return {
                "title": self.title or self.name,
                "format": self.format or "geometry-any",
                "x-ogc-role": "primary-geometry",
            }
        schema = {"title": self.title or self.name, "type": self.type}
        if self.format:
            schema["format"] = self.format
        return schema


class Like(Lookup):
    """SQL LIKE with the pattern as a parameter: CQL2 and SQL share the % and _ wildcards and
    the backslash escape."""

    lookup_name = "cql2_like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", (*lhs_params, *rhs_params)


def invalid(message):
    return ValidationError({"filter": message})


# A filter is a handful of conditions: these caps answer a 400 at once for a flood of them (2,000
# ANDed terms would otherwise parse for seconds and then exhaust Python's recursion).
MAX_FILTER_LENGTH = 20_000
MAX_FILTER_OPERATORS = 100
MAX_INTEGER = 2**63 - 1


def check_filter_size(text, lang):
    operators = (
        text.count('"op"') if lang == "cql2-json"
        else len(re.findall(r"\b(?:AND|OR|NOT)\b", text, flags=re.IGNORECASE))
    )  # fmt: skip
    if len(text) > MAX_FILTER_LENGTH or operators > MAX_FILTER_OPERATORS:
        raise invalid(
            _("The filter is too large: at most %(chars)s characters and %(ops)s operators.")
            % {"chars": MAX_FILTER_LENGTH, "ops": MAX_FILTER_OPERATORS}
        )


def check_literal_type(queryable, value):
    """A literal that cannot be compared with the property is a 400 naming both, not an SQL
    error: a number for a number, true/false for a boolean, a real date for a date."""
    wrong = False
    if queryable.type in ("number", "integer"):
        wrong = isinstance(value, bool) or not isinstance(value, int | float)
        wrong = wrong or (isinstance(value, int) and abs(value) > MAX_INTEGER)
    elif queryable.type == "boolean":
        wrong = not isinstance(value, bool)
    elif queryable.format in ("date", "date-time"):
        try:
            wrong = not isinstance(value, str) or not (parse_datetime(value) or parse_date(value))
        except ValueError:
            wrong = True
    if wrong:
        raise invalid(
            _("%(name)s is of type %(type)s; %(value)s is not.")
            % {"name": queryable.name, "type": queryable.format or queryable.type,
               "value": json.dumps(value, default=str)[:100]}
        )  # fmt: skip


class FilterTranslator(Evaluator):
    """pygeofilter AST -> Q. `spatial(op, geometry)` is the collection's own spatial lookup."""

    def __init__(self, queryables: dict[str, Queryable], spatial: Callable, srid: int = 4326,
                 flip_axes: bool = False):  # fmt: skip
        self.queryables = queryables
        self.spatial_q = spatial
        self.srid = srid
        self.flip_axes = flip_axes

    @handle(ast.Attribute)
    def attribute(self, node):
        try:
            return self.queryables[node.name]
        except KeyError:
            raise invalid(
                _("Unknown property %(name)s. Queryables: %(list)s")
                % {"name": node.name, "list": ", ".join(self.queryables)}
            ) from None

    @handle(*values.LITERALS)
    def literal(self, node):
        return node

    @handle(values.Geometry)
    def geometry(self, node):
        return self._geometry(node.geometry)

    @handle(values.Envelope)
    def envelope(self, node):
        return self._bbox([node.x1, node.y1, node.x2, node.y2])

    @handle(ast.Function)
    def function(self, node, *arguments):
        # cql2-text BBOX(minx,miny,maxx,maxy) reaches us as a function; CASEI as lower().
        name = node.name.lower()
        if name == "bbox" and len(arguments) in (4, 6):
            return self._bbox(list(arguments))
        raise invalid(_("Unsupported function %(name)s.") % {"name": node.name})

    @handle(ast.Not)
    def not_(self, node, sub):
        return ~sub

    @handle(ast.And)
    def and_(self, node, lhs, rhs):
        return lhs & rhs

    @handle(ast.Or)
    def or_(self, node, lhs, rhs):
        return lhs | rhs

    @handle(ast.Equal, ast.NotEqual, ast.LessThan, ast.LessEqual, ast.GreaterThan,
            ast.GreaterEqual)  # fmt: skip
    def comparison(self, node, lhs, rhs):
        prop, literal, op = self._property_and_literal(lhs, rhs, node.op.value)
        lookups = {
            "=": Exact, "<>": Exact, "<": LessThan, "<=": LessThanOrEqual, ">": GreaterThan,
            ">=": GreaterThanOrEqual,
        }  # fmt: skip
        q = Q(lookups[op](prop.value(), prop.literal(literal)))
        if op == "<>":
            # CQL2: a comparison with a missing value is not true, negated or not.
            return ~q & Q(IsNull(prop.text(), False))
        return q

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        prop = self._scalar_property(lhs)
        q = Q(GreaterThanOrEqual(prop.value(), prop.literal(low))) & Q(
            LessThanOrEqual(prop.value(), prop.literal(high))
        )
        return ~q if node.not_ else q

    @handle(ast.Like)
    def like(self, node, lhs):
        prop = self._scalar_property(lhs)
        pattern = node.pattern
        if not isinstance(pattern, str):
            raise invalid(_("LIKE needs a text pattern."))
        if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
            raise invalid(_("A LIKE pattern must not end with an escaping backslash."))
        q = Q(Like(prop.text(), Value(node.pattern)))
        return ~q if node.not_ else q

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        prop = self._scalar_property(lhs)
        if not options:
            raise invalid(_("IN needs at least one value."))
        q = reduce(or_, (Q(Exact(prop.value(), prop.literal(option))) for option in options))
        return ~q if node.not_ else q

    @handle(ast.IsNull)
    def is_null(self, node, lhs):
        prop = self._scalar_property(lhs)
        return Q(IsNull(prop.text(), not node.not_))

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial(self, node, lhs, rhs):
        if isinstance(lhs, GEOSGeometry) and isinstance(rhs, Queryable):
            lhs, rhs = rhs, lhs
            inverse = {"WITHIN": "CONTAINS", "CONTAINS": "WITHIN"}
            op = inverse.get(node.op.name, node.op.name)
        else:
            op = node.op.name
        if not (isinstance(lhs, Queryable) and lhs.type == GEOMETRY):
            raise invalid(_("A spatial predicate compares the geometry with a geometry literal."))
        if not isinstance(rhs, GEOSGeometry):
            raise invalid(_("A spatial predicate needs a geometry literal."))
        return self.spatial_q(op.lower(), rhs)

    def adopt_result(self, result):
        if not isinstance(result, Q):
            raise invalid(_("The filter must be a condition (true or false)."))
        return result

    def _scalar_property(self, value):
        if not isinstance(value, Queryable) or value.type == GEOMETRY:
            raise invalid(_("Expected a property name."))
        return value

    def _property_and_literal(self, lhs, rhs, op):
        if isinstance(rhs, Queryable) and not isinstance(lhs, Queryable):
            lhs, rhs = rhs, lhs
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        prop = self._scalar_property(lhs)
        if isinstance(rhs, Queryable | GEOSGeometry | Q):
            raise invalid(_("Comparisons are between a property and a literal."))
        return prop, rhs, op

    def _geometry(self, geojson):
        if self.flip_axes:
            geojson = {**geojson, "coordinates": _flip(geojson["coordinates"])}
        try:
            geometry = GEOSGeometry(json.dumps(geojson))
            # GeoJSON input comes tagged 4326; the literal is in the filter's CRS.
            geometry.srid = self.srid
        except (GEOSException, GDALException, ValueError, TypeError):
            raise invalid(_("Invalid geometry literal.")) from None
        check_in_domain(geometry, "filter")
        if not geometry.valid and geometry.geom_type not in ("Point", "MultiPoint"):
            raise invalid(_("Invalid geometry literal: %(reason)s") % {
                "reason": geometry.valid_reason})  # fmt: skip
        return geometry

    def _bbox(self, numbers):
        if len(numbers) == 6:  # a 3D box: drop the heights
            numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
        try:
            numbers = [float(n) for n in numbers]
        except (TypeError, ValueError):
            raise invalid(_("BBOX needs four numbers.")) from None
        if self.flip_axes:
            numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
        if not all(map(math.isfinite, numbers)):
            raise invalid(_("BBOX needs four numbers."))
        box = Polygon.from_bbox(numbers)
        box.srid = self.srid
        return check_in_domain(box, "filter")


def _flip(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        return [coordinates[1], coordinates[0], *coordinates[2:]]
    return [_flip(part) for part in coordinates]


def _normalise_json(node):
    """CQL2 JSON as the standard writes it -> the shapes pygeofilter 0.4 reads: BETWEEN with three
    arguments, and a {"bbox": [...]} literal as a polygon (pygeofilter swaps its corners)."""
    if isinstance(node, list):
        return [_normalise_json(item) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"bbox"} and isinstance(node["bbox"], list):
        numbers = node["bbox"]
        if len(numbers) == 6:
            numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
        if len(numbers) != 4:
            raise invalid(_("BBOX needs four numbers."))
        minx, miny, maxx, maxy = numbers
        ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
        return {"type": "Polygon", "coordinates": [ring]}
    if node.get("op") == "in" and not (
        len(node.get("args", [])) == 2 and isinstance(node["args"][1], list)
    ):
        raise invalid(_('IN takes a list of values: {"op": "in", "args": [property, [...]]}.'))
    node = {key: _normalise_json(value) for key, value in node.items()}
    if node.get("op") == "between" and len(node.get("args", [])) == 3:
        node["args"] = [node["args"][0], node["args"][1:]]
    return node


def parse_filter(text, lang=None):
    """The `filter` parameter -> pygeofilter AST; a 400 for what cannot be parsed."""
    lang = lang or ("cql2-json" if text.lstrip().startswith("{") else "cql2-text")
    if lang not in FILTER_LANGS:
        raise ValidationError(
            {
                "filter-lang": _("Supported filter languages: %(list)s")
                % {"list": ", ".join(FILTER_LANGS)}
            }  # fmt: skip
        )
    check_filter_size(text, lang)
    try:
        if lang == "cql2-json":
            return parse_cql2_json(_normalise_json(json.loads(text)))
        return parse_cql2_text(text)
    except ValidationError:
        raise
    except Exception as exc:  # lark and pygeofilter raise many types for a malformed filter
        raise invalid(_("Cannot parse the %(lang)s filter: %(error)s") % {
            "lang": lang, "error": str(exc).splitlines()[0][:200]}) from None  # fmt: skip


def filter_q(text, queryables, spatial, *, lang=None, srid=4326, flip_axes=False):
    """A CQL2 filter -> Q over the queryables."""
    tree = parse_filter(text, lang)
    try:
        return FilterTranslator(queryables, spatial, srid, flip_axes).evaluate(tree)
    except ValidationError:
        raise
    except NotImplementedError:
        raise invalid(_("This filter uses an operator the portal does not support.")) from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, GDALException,
            GEOSException):  # fmt: skip
        # pygeofilter builds odd trees from odd input (a cql2-json "in" with one value): refused.
        raise invalid(_("This filter cannot be applied to this collection.")) from None
