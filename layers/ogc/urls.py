from django.urls import path

from . import tiles, views

app_name = "ogc"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("api", views.api_definition, name="api"),
    path("conformance", views.conformance, name="conformance"),
    path("collections", views.collection_list, name="collections"),
    path("collections/<str:collection_id>", views.collection_detail, name="collection"),
    path("collections/<str:collection_id>/queryables", views.queryables, name="queryables"),
    path("collections/<str:collection_id>/items", views.items, name="items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", views.item, name="item"),
    path("collections/<str:collection_id>/tiles", tiles.tilesets, name="tilesets"),
    path(
        "collections/<str:collection_id>/tiles/<str:tms_id>",
        tiles.tileset_detail,
        name="tileset",
    ),
    path("tileMatrixSets", tiles.tile_matrix_sets, name="tile_matrix_sets"),
    path("tileMatrixSets/<str:tms_id>", tiles.tile_matrix_set_detail, name="tile_matrix_set"),
]
