from rest_framework.routers import SimpleRouter

from .api import CityViewSet, RegionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("cities", CityViewSet, basename="city")

urlpatterns = router.urls
