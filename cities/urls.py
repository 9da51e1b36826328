from django.urls import path

from . import views

app_name = "cities"
urlpatterns = [
    path("", views.national_map, name="map"),
    path("cities/", views.city_list, name="list"),
    path("cities/<slug:slug>/", views.city_detail, name="detail"),
]
