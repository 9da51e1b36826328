from rest_framework.routers import SimpleRouter

from .api import IndicatorValueViewSet, IndicatorViewSet, TargetViewSet

router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("indicator-values", IndicatorValueViewSet, basename="indicator-value")
router.register("indicator-targets", TargetViewSet, basename="indicator-target")

urlpatterns = router.urls
