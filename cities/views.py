from django.shortcuts import get_object_or_404, render

from .models import City, Region, ServiceCategory
from .models.services import SERVICE_NEAR_CITY_KM
from .services import city_service_groups


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
            "near_km": SERVICE_NEAR_CITY_KM,
        },
    )


def services_page(request):
    """The services map; its state (category, q, near, city) lives in the URL, read by the JS."""
    return render(
        request,
        "cities/services.html",
        {"categories": ServiceCategory.tree(), "cities": City.objects.order_by("name_en")},
    )
