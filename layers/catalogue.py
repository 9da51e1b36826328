"""What citizens browse: the catalogue search, a layer's attribute table and its SVG thumbnail.
All start from permissions.visible_layers."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, FloatField, Func, Q, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from cities.models import City
from geoportal.translation import current_language

from .access import layer_cache_version
from .models import TopicCategory
from .permissions import visible_layers
from .queries import FeatureQuery, PropertyValue, text_match
from .styles import effective_style, geometry_family

TEXT_FIELDS = [f"{name}_{lang}" for name in ("title", "abstract") for lang in ("be", "ru", "en")]
SORTS = ("newest", "title")
GEOMETRY_FAMILIES = ("point", "line", "polygon")
TABLE_PAGE_SIZE = 20
THUMBNAIL_FEATURES = 5000
# Headings of columns common in open data (OpenStreetMap, HOT and OCHA exports), for layers whose
# planners have not set their own (Layer.column_labels).
DEFAULT_LABELS = {
    "name": _("Name"), "name_be": _("Name (Belarusian)"), "name_ru": _("Name (Russian)"),
    "name_en": _("Name (English)"), "name_latin": _("Name (Latin script)"),
    "place": _("Kind of place"), "population": _("Population"), "id": _("Identifier"),
    "adm0_name": _("Country"), "adm1_name": _("Region"), "adm1_pcode": _("Region code"),
    "adm2_name": _("District"), "adm2_pcode": _("District code"),
    "settlement_key": _("Settlement key"), "address": _("Address"), "type": _("Type"),
    "kind": _("Kind"), "category": _("Category"), "description": _("Description"),
}  # fmt: skip
# Keywords are tags that code matches too (layers.kpis.GREEN_AREAS_KEYWORD): readers see the
# portal's own (the demo's, the OGC collections', the KPI's) in their language, and planners'
# other keywords as written.
KEYWORD_LABELS = {
    "settlements": _("settlements"), "belarus": _("Belarus"), "boundaries": _("boundaries"),
    "location": _("location"), "society": _("society"), "green-areas": _("green areas"),
}  # fmt: skip


def keyword_labels(keywords):
    """The keywords as a reader sees them, in the active language where the portal knows them."""
    return [str(KEYWORD_LABELS.get(keyword.lower(), keyword)) for keyword in keywords]


def column_labels(layer):
    """{column: heading} in the active language: the planners' own (Layer.column_labels), else
    a default for common names, else the column's name."""
    lang = current_language()
    labels = {}
    for attribute in layer.attributes:
        name = attribute["name"]
        own = layer.column_labels.get(name) if isinstance(layer.column_labels, dict) else None
        if isinstance(own, dict) and (own.get(lang) or own.get("be") or own.get("en")):
            labels[name] = own.get(lang) or own.get("be") or own.get("en")
        else:
            labels[name] = str(DEFAULT_LABELS.get(name.lower(), name))
    return labels


@dataclass
class CatalogueSearch:
    """The catalogue's query: words matched in any language's title, abstract or keywords."""

    text: str = ""
    category: str = ""
    city: str = ""
    geometry: str = ""
    sort: str = "newest"
    filters: dict = field(init=False, default_factory=dict)

    def layers(self, user):
        qs = visible_layers(user).select_related("city")
        qs = qs.alias(
            keyword_text=Func(
                F("keywords"), Value(" "), function="array_to_string", output_field=TextField()
            )
        )
        for word in self.text.split():
            match = Q()
            for name in TEXT_FIELDS:
                match |= Q(**{f"{name}__icontains": word})
            match |= Q(keyword_text__icontains=word)
            qs = qs.filter(match)
        if self.category:
            qs = qs.filter(topic_category=self.category)
        if self.city:
            qs = qs.filter(city__slug=self.city)
        if self.geometry in GEOMETRY_FAMILIES:
            qs = qs.filter(geometry_type__icontains=self.geometry)
        if self.sort == "title":
            lang = current_language()
            title = Coalesce(NullIf(f"title_{lang}", Value("")), "title_be", "title_ru", "title_en")
            return qs.order_by(title.asc(), "slug")
        return qs.order_by("-updated", "slug")


def filter_choices(user):
    """The catalogue's filter lists, from the layers this user may see only: a city or topic
    category whose layers are all private to others is not named."""
    layers = visible_layers(user)
    used = set(layers.exclude(topic_category="").values_list("topic_category", flat=True))
    return {
        "cities": City.objects.filter(layers__in=layers).distinct().order_by("name_be"),
        "categories": [(value, label) for value, label in TopicCategory.choices if value in used],
    }


def table_page(layer, *, page=1, sort="", column="", value="", text="", feature_id=None):
    """One page of the attribute table: sorted by an attribute (JSON order: numbers as numbers),
    filtered by words in any column (`text`) or by one column's value, each row with its
    feature's bounding box for zooming."""
    names = [a["name"] for a in layer.attributes]
    properties = {column: value} if column in names and value != "" else {}
    extra = text_match(text)
    if feature_id is not None:
        extra &= Q(id=feature_id)
    query = FeatureQuery(layer, properties=properties, extra=extra)
    qs = query.queryset()
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key in names:
        order = PropertyValue(key, "properties")
        order = order.desc(nulls_last=True) if descending else order.asc(nulls_last=True)
        qs = qs.order_by(order, "id")
    count = qs.count()
    pages = max(1, -(-count // TABLE_PAGE_SIZE))
    page = min(max(1, page), pages)
    box = {
        name: Func("geom", function=f"ST_{name.upper()}", output_field=FloatField())
        for name in ("xmin", "ymin", "xmax", "ymax")
    }
    start = (page - 1) * TABLE_PAGE_SIZE
    rows = qs.annotate(**box).values("id", "properties", *box)[start : start + TABLE_PAGE_SIZE]
    return {
        "count": count,
        "page": page,
        "pages": pages,
        "columns": names,
        "labels": column_labels(layer),
        "sort": sort if key in names else "",
        "rows": [
            {
                "id": row["id"],
                "properties": row["properties"],
                "bbox": [row["xmin"], row["ymin"], row["xmax"], row["ymax"]],
            }
            for row in rows
        ],
    }


def thumbnail_svg(layer):
    """A small SVG preview of the layer drawn in PostGIS (its first few thousand features,
    simplified; points as small squares), cached until the layer changes."""
    key = f"thumbnail:{layer.pk}:{layer_cache_version(layer)}"
    svg = cache.get(key)
    if svg is None:
        svg = _draw_thumbnail(layer)
        cache.set(key, svg, settings.TILE_CACHE_SECONDS)
    return svg


def _draw_thumbnail(layer):
    symbol = effective_style(layer)["symbol"]
    if not layer.extent:
        return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>'
    minx, miny, maxx, maxy = layer.extent.extent
    size = max(maxx - minx, maxy - miny, 1e-4)
    pad = size * 0.05
    point = geometry_family(layer.geometry_type) == "point"
    shape = (
        f"ST_Buffer(geom, {size / 80!r}, 'quad_segs=1')"
        if point
        else (f"ST_Simplify(geom, {size / 400!r}, true)")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT ST_AsSVG(ST_Collect({shape}), 0, 5) FROM (
                  SELECT geom FROM layers_feature WHERE layer_id = %s ORDER BY id LIMIT %s) AS f""",
            [layer.pk, THUMBNAIL_FEATURES],
        )
        path = cursor.fetchone()[0] or ""
    line = geometry_family(layer.geometry_type) == "line"
    fill = "none" if line else symbol["fill_colour"]
    stroke = symbol["stroke_colour"] if not point else symbol["fill_colour"]
    width = size / 150
    view = f"{minx - pad!r} {-maxy - pad!r} {size + 2 * pad!r} {size + 2 * pad!r}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view}" '
        'preserveAspectRatio="xMidYMid meet">'
        f'<path d="{path}" fill="{fill}" fill-opacity="{max(symbol["fill_opacity"], 0.3)}" '
        f'stroke="{stroke}" stroke-width="{width!r}" fill-rule="evenodd"/></svg>'
    )
