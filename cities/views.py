from django.shortcuts import get_object_or_404, render

from .models import City, Region
from .models.services import SERVICE_NEAR_CITY_KM
from .services.query import city_service_groups
from .services.sources import source_label


def national_map(request):
    return render(request, "cities/national_map.html")


def city_list(request):
    cities = City.objects.select_related("region")
    region = None
    if slug := request.GET.get("region"):
        region = get_object_or_404(Region, slug=slug)
        cities = cities.filter(region=region)
    return render(
        request,
        "cities/city_list.html",
        {"cities": cities, "regions": Region.objects.all(), "region": region},
    )


def city_detail(request, slug):
    city = get_object_or_404(City.objects.select_related("region"), slug=slug)
    return render(
        request,
        "cities/city_detail.html",
        {
            "city": city,
            "service_groups": city_service_groups(city),
            "service_sources": [
                source_label(source)
                for source in city.services.order_by("source")
                .values_list("source", flat=True)
                .distinct()
            ],
            "near_km": SERVICE_NEAR_CITY_KM,
        },
    )
