from django.shortcuts import get_object_or_404, render

from ..models import City, Indicator
from .queries import catalogue, indicator_years, ranking


def indicator_list(request):
    params = {name: request.GET.get(name, "").strip() for name in
              ["q", "dimension", "tier", "framework"]}  # fmt: skip
    groups, count = catalogue(params["q"], params["dimension"], params["tier"], params["framework"])
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "groups": groups,
            "count": count,
            "params": params,
            "dimensions": Indicator.Dimension.choices,
            "tiers": Indicator.Tier.choices,
            "frameworks": Indicator.Framework.choices,
        },
    )


def indicator_detail(request, slug):
    indicator = get_object_or_404(Indicator, slug=slug)
    years = indicator_years(indicator)
    year = years[0] if years else None
    if request.GET.get("year", "").isdigit() and int(request.GET["year"]) in years:
        year = int(request.GET["year"])
    ranks = ranking(indicator, year) if year else []
    ranked = [rank for rank in ranks if rank.value]
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "years": years,
            "year": year,
            "ranks": ranks,
            "ranked": ranked,
            "missing": [rank.city for rank in ranks if not rank.value],
            "has_sample": any(rank.value.is_sample for rank in ranked),
            "map_values": {
                rank.city.slug: {"value": rank.value.value, "rank": rank.rank} for rank in ranked
            },
            "boundary_count": City.objects.filter(boundary__isnull=False).count(),
            "city_count": City.objects.count(),
        },
    )
