"""Vector tiles live outside the language prefixes: /tiles/<layer>/{z}/{x}/{y}.pbf."""

from django.urls import path

from . import views

app_name = "tiles"
urlpatterns = [
    path("<slug:slug>.json", views.tilejson, name="tilejson"),
    path("<slug:slug>/<int:z>/<int:x>/<int:y>.pbf", views.tile, name="tile"),
]
