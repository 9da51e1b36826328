"""/ogc/ URLs. Each resource answers with or without a trailing slash (clients build
`collections/` as often as `collections`); reverse() writes the canonical form, without. Any
other path under /ogc/ is a JSON 404 in the OGC exception format, not Django's HTML page."""

from django.urls import re_path

from . import tiles, views

app_name = "ogc"

ID = r"(?P<collection_id>[^/]+)"


def resource(pattern, view, name):
    return re_path(rf"^{pattern}/?$", view, name=name)


urlpatterns = [
    re_path(r"^$", views.landing, name="landing"),
    resource("api", views.api_definition, "api"),
    resource("conformance", views.conformance, "conformance"),
    resource("collections", views.collection_list, "collections"),
    resource(f"collections/{ID}", views.collection_detail, "collection"),
    resource(f"collections/{ID}/queryables", views.queryables, "queryables"),
    resource(f"collections/{ID}/items", views.items, "items"),
    resource(f"collections/{ID}/items/(?P<feature_id>[^/]+)", views.item, "item"),
    resource(f"collections/{ID}/tiles", tiles.tilesets, "tilesets"),
    resource(f"collections/{ID}/tiles/(?P<tms_id>[^/]+)", tiles.tileset_detail, "tileset"),
    resource("tileMatrixSets", tiles.tile_matrix_sets, "tile_matrix_sets"),
    resource("tileMatrixSets/(?P<tms_id>[^/]+)", tiles.tile_matrix_set_detail, "tile_matrix_set"),
    re_path(r"^.*$", views.not_found),
]
