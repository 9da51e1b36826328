from rest_framework.routers import SimpleRouter

from .api import ServiceCategoryViewSet, ServiceViewSet

router = SimpleRouter()
router.register("services", ServiceViewSet, basename="service")
router.register("service-categories", ServiceCategoryViewSet, basename="service-category")

urlpatterns = router.urls
