from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from geoportal import health
from geoportal.api_errors import api_not_found
from geoportal.api_root import api_root
from geoportal.languages import set_language

api_v1 = [
    path("", api_root, name="api-root"),
    path("", include("cities.api_urls")),
    path("", include("layers.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("docs/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("cities.services.api_urls")),
    path("", include("cities.indicators.api_urls")),
    path("", include("geoportal.search.api_urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    re_path(r"^api/v1/(?P<path>(?:.*/)?)$", api_not_found),
    path("ogc/", include("layers.ogc.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("tiles/", include("layers.tile_urls")),
]

# Pages carry their language in the URL: /ru/..., /en/...; Belarusian, the default, has no prefix.
urlpatterns += i18n_patterns(
    path("", include("cities.urls")),
    path("services/", include("cities.services.urls")),
    path("indicators/", include("cities.indicators.urls")),
    path("layers/", include("layers.urls")),
    path("about/data/", TemplateView.as_view(template_name="about_data.html"), name="about-data"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    prefix_default_language=False,
)
