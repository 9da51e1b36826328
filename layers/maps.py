"""What a map needs to draw a layer: its style and legend, its bounds, and where its data comes
from (GeoJSON for small layers, vector tiles for big ones). The layer page, the national map's
layer list and the admin's style preview all draw from layer_map_config."""

from django.conf import settings
from django.urls import reverse

from .permissions import visible_layers
from .styles import effective_style, geometry_family, legend
from .tiles import tiles_template_url


def layer_map_config(request, layer, style=None):
    style = style or effective_style(layer)
    return {
        "slug": layer.slug,
        "title": layer.title,
        "geometry": geometry_family(layer.geometry_type),
        "feature_count": layer.feature_count,
        "style": style,
        "legend": legend(layer, style),
        "bounds": list(layer.extent.extent) if layer.extent else None,
        "tiles": layer.feature_count > settings.LAYER_GEOJSON_MAX_FEATURES,
        "tileUrl": tiles_template_url(request, layer),
        # Small layers only: one page of the REST API holds them all.
        "geojsonUrl": reverse("layer-features", args=[layer.slug])
        + f"?page_size={settings.LAYER_GEOJSON_MAX_FEATURES}",
        "url": layer.get_absolute_url(),
        "attribution": layer.attribution,
    }


def map_layers(request):
    """The layers offered on the national map, grouped by topic category."""
    groups = {}
    layers = visible_layers(request.user).order_by("topic_category", "title_be", "slug")
    for layer in layers:
        label = layer.get_topic_category_display() or ""
        groups.setdefault(layer.topic_category, {"category": layer.topic_category,
                                                  "label": str(label), "layers": []})  # fmt: skip
        groups[layer.topic_category]["layers"].append(layer_map_config(request, layer))
    return list(groups.values())
