"""A layer's style (Layer.style JSON): its schema, validation, the default per geometry type, the
classes of categorised and graduated styles computed in PostGIS, and the legend.

The browser draws features and the legend from the same JSON (static/js/layer-style.js), so a
style is complete once saved: categories and class breaks are stored, not recomputed per request.

    {"type": "single", "symbol": {...}}
    {"type": "categorized", "attribute": "kind", "symbol": {...},
     "categories": [{"value": "school", "label": "school", "colour": "#1b9e77"}, ...]}
    {"type": "graduated", "attribute": "population", "method": "quantile", "ramp": "YlOrRd",
     "symbol": {...}, "classes": [{"min": 0, "max": 10, "colour": "#ffffb2"}, ...]}

symbol: stroke_colour, fill_colour, stroke_opacity, fill_opacity, width, radius, icon (an image
URL drawn instead of a circle for points, optional).
"""

import re

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

STYLE_TYPES = ("single", "categorized", "graduated")
METHODS = ("equal_interval", "quantile")
MAX_CLASSES = 9
MAX_CATEGORIES = 20
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

# ColorBrewer 2.0 ramps (Cynthia Brewer, Apache 2.0), nine steps, light to dark.
RAMPS = {
    "YlOrRd": "#ffffcc #ffeda0 #fed976 #feb24c #fd8d3c #fc4e2a #e31a1c #bd0026 #800026",
    "Blues": "#f7fbff #deebf7 #c6dbef #9ecae1 #6baed6 #4292c6 #2171b5 #08519c #08306b",
    "Greens": "#f7fcf5 #e5f5e0 #c7e9c0 #a1d99b #74c476 #41ab5d #238b45 #006d2c #00441b",
    "Purples": "#fcfbfd #efedf5 #dadaeb #bcbddc #9e9ac8 #807dba #6a51a3 #54278f #3f007d",
    "RdYlGn": "#d73027 #f46d43 #fdae61 #fee08b #ffffbf #d9ef8b #a6d96a #66bd63 #1a9850",
}
RAMPS = {name: colours.split() for name, colours in RAMPS.items()}
# ColorBrewer "Set1" and "Dark2": qualitative colours for categories.
QUALITATIVE = [
    "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#999999",
    "#ffff33", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
    "#666666",
]  # fmt: skip
OTHER_COLOUR = "#bbbbbb"

SYMBOL_DEFAULTS = {
    "stroke_colour": "#1f78b4",
    "fill_colour": "#a6cee3",
    "stroke_opacity": 1.0,
    "fill_opacity": 0.5,
    "width": 2.0,
    "radius": 6.0,
    "icon": "",
}
# Points read best as filled dots, lines as a strong stroke, polygons as a light fill.
GEOMETRY_DEFAULTS = {
    "point": {"stroke_colour": "#ffffff", "fill_colour": "#d7301f", "fill_opacity": 0.9,
              "width": 1.5, "radius": 6.0},
    "line": {"stroke_colour": "#c51b8a", "width": 3.0, "fill_opacity": 0.0},
    "polygon": {"stroke_colour": "#2c7fb8", "fill_colour": "#7fcdbb", "fill_opacity": 0.45,
                "width": 1.5},
}  # fmt: skip


def geometry_family(geometry_type):
    """'MultiPolygon' -> 'polygon', 'LineString' -> 'line', 'Point' -> 'point' (others: None)."""
    name = (geometry_type or "").lower()
    for family, needle in (("polygon", "polygon"), ("line", "line"), ("point", "point")):
        if needle in name:
            return family
    return None


def default_style(geometry_type):
    """The style a freshly imported layer gets: a single symbol fit for its geometry."""
    return {
        "type": "single",
        "symbol": {**SYMBOL_DEFAULTS, **GEOMETRY_DEFAULTS.get(geometry_family(geometry_type), {})},
    }


def effective_style(layer):
    """The layer's saved style, or the default for its geometry when it has none yet."""
    return (
        layer.style
        if layer.style.get("type") in STYLE_TYPES
        else default_style(layer.geometry_type)
    )


def restyle(layer):
    """The layer's style fitted to the data it has just imported: (style, notes). Categories
    are taken again from the new values (a value that stays keeps its colour and label), classes
    are computed again with the same method, ramp and count; a style whose attribute is gone (or
    has no numbers left) falls back to the default for the geometry, with a "reset" note that
    warns the planner before publishing. Notes are kept in English and shown with note_text."""
    style = effective_style(layer)
    if style["type"] == "single":
        return style, []
    attribute = style.get("attribute")
    values = {"attribute": attribute}
    if attribute not in {a["name"] for a in layer.attributes}:
        text = gettext_noop(
            "The style was reset to a single colour: the new file has no attribute “%(attribute)s”."
        )
        return default_style(layer.geometry_type), [_note(text, values, reset=True)]
    if style["type"] == "categorized":
        before = {c["value"]: c for c in style.get("categories", [])}
        categories = [before.get(c["value"], c) for c in compute_categories(layer, attribute)]
        added = sum(1 for c in categories if c["value"] not in before)
        values.update(added=added, gone=len(before) - (len(categories) - added))
        text = gettext_noop(
            "The categories of “%(attribute)s” were taken again from the new data: "
            "%(added)s new, %(gone)s gone."
        )
        return {**style, "categories": categories}, [_note(text, values)]
    classes = compute_classes(
        layer, attribute, style["method"], style["class_count"], style["ramp"]
    )
    if not classes:
        text = gettext_noop(
            "The style was reset to a single colour: “%(attribute)s” has no numbers in the new "
            "file."
        )
        return default_style(layer.geometry_type), [_note(text, values, reset=True)]
    text = gettext_noop("The classes of “%(attribute)s” were computed again from the new data.")
    return {**style, "classes": classes}, [_note(text, values)]


def _note(text, values, reset=False):
    return {"text": text, "values": values, "reset": reset}


def note_text(note):
    """A restyle note in the active language."""
    return _(note["text"]) % note["values"]


def _number(value, name, low, high):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(name)s must be a number.") % {"name": name}) from None
    if not low <= number <= high:
        raise ValidationError(
            _("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
    return number


def _colour(value, name):
    if not isinstance(value, str) or not HEX_COLOUR.match(value):
        raise ValidationError(_("%(name)s must be a colour like #1f78b4.") % {"name": name})
    return value.lower()


def clean_symbol(symbol):
    if not isinstance(symbol, dict):
        raise ValidationError(_("The symbol must be an object."))
    merged = {**SYMBOL_DEFAULTS, **symbol}
    icon = merged["icon"] or ""
    if icon and not re.match(r"^(https?://|/)[^\s\"'<>]+$", icon):
        raise ValidationError(_("The icon must be an http(s) URL or a path starting with /."))
    return {
        "stroke_colour": _colour(merged["stroke_colour"], _("Stroke colour")),
        "fill_colour": _colour(merged["fill_colour"], _("Fill colour")),
        "stroke_opacity": _number(merged["stroke_opacity"], _("Stroke opacity"), 0, 1),
        "fill_opacity": _number(merged["fill_opacity"], _("Fill opacity"), 0, 1),
        "width": _number(merged["width"], _("Stroke width"), 0, 20),
        "radius": _number(merged["radius"], _("Point radius"), 1, 40),
        "icon": icon,
    }


def _attribute(style, layer):
    attribute = style.get("attribute")
    names = {a["name"] for a in layer.attributes}
    if attribute not in names:
        raise ValidationError(
            _("Choose an attribute of the layer: %(names)s.") % {"names": ", ".join(sorted(names))}
        )
    return attribute


def clean_style(style, layer):
    """A complete, valid style for this layer, or ValidationError with a message for the planner.
    Categories and classes left out are computed from the layer's data."""
    if not isinstance(style, dict) or style.get("type") not in STYLE_TYPES:
        raise ValidationError(_("The style type must be single, categorized or graduated."))
    cleaned = {"type": style["type"], "symbol": clean_symbol(style.get("symbol", {}))}
    if style["type"] == "categorized":
        cleaned["attribute"] = _attribute(style, layer)
        categories = style.get("categories") or compute_categories(layer, cleaned["attribute"])
        if not isinstance(categories, list) or len(categories) > MAX_CATEGORIES:
            raise ValidationError(_("At most %(n)d categories.") % {"n": MAX_CATEGORIES})
        cleaned["categories"] = [
            {
                "value": str(c.get("value", "")),
                "label": str(c.get("label") or c.get("value", "")),
                "colour": _colour(c.get("colour"), _("Category colour")),
            }
            for c in categories
        ]
    elif style["type"] == "graduated":
        cleaned["attribute"] = _attribute(style, layer)
        method = style.get("method", "quantile")
        if method not in METHODS:
            raise ValidationError(_("The classification must be equal_interval or quantile."))
        ramp = style.get("ramp", "YlOrRd")
        if ramp not in RAMPS:
            raise ValidationError(_("Unknown colour ramp: %(ramp)s.") % {"ramp": ramp})
        count = int(_number(style.get("class_count", 5), _("Number of classes"), 2, MAX_CLASSES))
        classes = compute_classes(layer, cleaned["attribute"], method, count, ramp)
        if not classes:
            raise ValidationError(
                _("The attribute %(name)s has no numeric values.") % {"name": cleaned["attribute"]}
            )
        cleaned.update(method=method, ramp=ramp, class_count=count, classes=classes)
    return cleaned


def compute_categories(layer, attribute, limit=MAX_CATEGORIES - 1):
    """The attribute's most frequent values, each with a colour of a qualitative palette."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT properties ->> %s AS value, count(*) FROM layers_feature
               WHERE layer_id = %s AND properties ->> %s IS NOT NULL
               GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s""",
            [attribute, layer.pk, attribute, limit],
        )
        values = [row[0] for row in cursor.fetchall()]
    return [
        {"value": value, "label": value, "colour": QUALITATIVE[i % len(QUALITATIVE)]}
        for i, value in enumerate(sorted(values))
    ]


def ramp_colours(ramp, count):
    """`count` colours spread evenly over a nine-step ramp."""
    colours = RAMPS[ramp]
    if count == 1:
        return [colours[-1]]
    return [colours[round(i * (len(colours) - 1) / (count - 1))] for i in range(count)]


def compute_classes(layer, attribute, method, count, ramp):
    """Class breaks of a numeric attribute computed in PostGIS: equal intervals between min and
    max, or quantiles (percentile_cont). Non-numeric values are left out."""
    numeric = "(properties ->> %s)::double precision"
    where = "layer_id = %s AND jsonb_typeof(properties -> %s) = 'number'"
    with connection.cursor() as cursor:
        if method == "quantile":
            fractions = [i / count for i in range(count + 1)]
            cursor.execute(
                f"SELECT percentile_cont(%s::double precision[]) WITHIN GROUP (ORDER BY {numeric})"
                f" FROM layers_feature WHERE {where}",
                [fractions, attribute, layer.pk, attribute],
            )
            breaks = cursor.fetchone()[0]
        else:
            cursor.execute(
                f"SELECT min({numeric}), max({numeric}) FROM layers_feature WHERE {where}",
                [attribute, attribute, layer.pk, attribute],
            )
            low, high = cursor.fetchone()
            breaks = (
                None if low is None else [low + (high - low) * i / count for i in range(count + 1)]
            )
    if not breaks or breaks[0] is None:
        return []
    # Quantiles of skewed data repeat; equal breaks would make empty classes.
    unique = sorted(set(breaks))
    if len(unique) == 1:
        unique = unique * 2
    colours = ramp_colours(ramp, len(unique) - 1)
    return [
        {"min": unique[i], "max": unique[i + 1], "colour": colours[i]}
        for i in range(len(unique) - 1)
    ]


def _format(number):
    return f"{number:,.6g}".replace(",", "\u202f")


def legend(layer, style=None):
    """The legend entries drawn beside the map: [{"label", "symbol"}], each symbol a complete
    single symbol (so the legend swatch is drawn exactly like the features)."""
    style = style or effective_style(layer)
    symbol = style["symbol"]
    if style["type"] == "categorized":
        entries = [
            {
                "label": c["label"],
                "symbol": {**symbol, "fill_colour": c["colour"], **_stroke_for(layer, c["colour"])},
            }
            for c in style["categories"]
        ]
        entries.append(
            {
                "label": _("other"),
                "symbol": {
                    **symbol,
                    "fill_colour": OTHER_COLOUR,
                    **_stroke_for(layer, OTHER_COLOUR),
                },
            }
        )
        return entries
    if style["type"] == "graduated":
        return [
            {
                "label": f"{_format(c['min'])} – {_format(c['max'])}",
                "symbol": {**symbol, "fill_colour": c["colour"], **_stroke_for(layer, c["colour"])},
            }
            for c in style["classes"]
        ]
    return [{"label": layer.title, "symbol": symbol}]


def _stroke_for(layer, colour):
    """Lines have no fill: their class colour is the stroke."""
    return {"stroke_colour": colour} if geometry_family(layer.geometry_type) == "line" else {}
