from django.urls import path

from . import views
from .editing import views as editing

app_name = "layers"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("map.json", views.national_map_layers, name="map-layers"),
    path("<slug:slug>/", views.layer_detail, name="detail"),
    path("<slug:slug>/table.json", views.layer_table, name="table"),
    path("<slug:slug>/thumbnail.svg", views.thumbnail, name="thumbnail"),
    path("<slug:slug>/download/<str:fmt>/", views.download, name="download"),
    path("<slug:slug>/history.json", editing.history, name="history"),
    path("<slug:slug>/history/<int:edit_id>/revert/", editing.revert, name="revert"),
]
