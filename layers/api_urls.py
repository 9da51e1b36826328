from rest_framework.routers import SimpleRouter

from .api import LayerViewSet

router = SimpleRouter()
router.register("layers", LayerViewSet, basename="layer")

urlpatterns = router.urls
