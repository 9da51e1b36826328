from django.shortcuts import render

from ..models import City, ServiceCategory


def services_page(request):
    """The services map; its state (category, q, near, city) lives in the URL, read by the JS."""
    return render(
        request,
        "services/services.html",
        {"categories": ServiceCategory.tree(), "cities": City.objects.order_by("name_en")},
    )
