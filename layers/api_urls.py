from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import LayerFeaturesView, LayerViewSet

router = SimpleRouter()
router.register("layers", LayerViewSet, basename="layer")

urlpatterns = [
    path("layers/<slug:slug>/features/", LayerFeaturesView.as_view(), name="layer-features"),
    *router.urls,
]
