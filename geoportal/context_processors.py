from django.conf import settings


def portal(request):
    """The base map setting, for every page's map."""
    return {
        "BASEMAP_URL": settings.BASEMAP_URL,
        "BASEMAP_ATTRIBUTION": settings.BASEMAP_ATTRIBUTION,
    }
