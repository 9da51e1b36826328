from django.urls import path

from . import ogc, ogc_tiles

app_name = "ogc"

urlpatterns = [
    path("", ogc.landing, name="landing"),
    path("api", ogc.api_definition, name="api"),
    path("conformance", ogc.conformance, name="conformance"),
    path("collections", ogc.collection_list, name="collections"),
    path("collections/<str:collection_id>", ogc.collection_detail, name="collection"),
    path("collections/<str:collection_id>/queryables", ogc.queryables, name="queryables"),
    path("collections/<str:collection_id>/items", ogc.items, name="items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", ogc.item, name="item"),
    path("collections/<str:collection_id>/tiles", ogc_tiles.tilesets, name="tilesets"),
    path(
        "collections/<str:collection_id>/tiles/<str:tms_id>",
        ogc_tiles.tileset_detail,
        name="tileset",
    ),
    path("tileMatrixSets", ogc_tiles.tile_matrix_sets, name="tile_matrix_sets"),
    path("tileMatrixSets/<str:tms_id>", ogc_tiles.tile_matrix_set_detail, name="tile_matrix_set"),
]
