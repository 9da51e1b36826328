"""What the indicator pages show, as plain functions over the database (the views only render)."""

from dataclasses import dataclass, field

from django.db.models import Q

from ..models import City, Indicator, IndicatorValue, Target


@dataclass
class Group:
    key: str
    label: str
    children: list = field(default_factory=list)


def catalogue(query="", dimension="", tier="", framework=""):
    """The catalogue filtered by a free-text query and facets, as dimension > sub-dimension >
    category groups of indicators, in the ITU order."""
    indicators = Indicator.objects.all()
    if query:
        words = Q()
        for field_name in ["code", "name_be", "name_ru", "name_en", "definition_be",
                           "definition_ru", "definition_en"]:  # fmt: skip
            words |= Q(**{f"{field_name}__icontains": query})
        indicators = indicators.filter(words)
    if dimension:
        indicators = indicators.filter(dimension=dimension)
    if tier:
        indicators = indicators.filter(tier=tier)
    if framework:
        indicators = indicators.filter(framework=framework)
    return group_by_dimension(indicators), indicators.count()


def _order(choices):
    return {value: position for position, value in enumerate(choices.values)}


def group_by_dimension(items, indicator_of=lambda item: item):
    """Nest items (indicators, or rows holding one) as dimension > sub-dimension > category."""
    dims, subs, cats = (_order(Indicator.Dimension), _order(Indicator.SubDimension),
                        _order(Indicator.Category))  # fmt: skip

    def sort_key(item):
        indicator = indicator_of(item)
        return (
            dims[indicator.dimension],
            subs[indicator.sub_dimension],
            cats[indicator.category],
            indicator.framework != "u4ssc",
            indicator.code,
        )

    groups = []
    for item in sorted(items, key=sort_key):
        indicator = indicator_of(item)
        if not groups or groups[-1].key != indicator.dimension:
            groups.append(Group(indicator.dimension, indicator.get_dimension_display()))
        dimension = groups[-1]
        if not dimension.children or dimension.children[-1].key != indicator.sub_dimension:
            dimension.children.append(
                Group(indicator.sub_dimension, indicator.get_sub_dimension_display())
            )
        sub = dimension.children[-1]
        if not sub.children or sub.children[-1].key != indicator.category:
            sub.children.append(Group(indicator.category, indicator.get_category_display()))
        sub.children[-1].children.append(item)
    return groups


@dataclass
class Series:
    """One indicator (and sub-series) of one city over the years."""

    indicator: Indicator
    subseries: str
    values: list
    target: Target | None = None

    @property
    def latest(self):
        return self.values[-1]

    @property
    def progress(self):
        """Per cent of the way from the baseline to the target, clamped to 0..100 for display."""
        if self.target is None:
            return None
        share = self.target.progress(self.latest.value)
        return None if share is None else max(0.0, min(100.0, share * 100))


def city_dashboard(city):
    """The city's series grouped by dimension; every series has at least one value."""
    values = IndicatorValue.objects.filter(city=city).select_related("indicator").order_by("year")
    series = {}
    for value in values:
        key = (value.indicator_id, value.subseries)
        if key not in series:
            series[key] = Series(value.indicator, value.subseries, [])
        series[key].values.append(value)
    targets = {target.indicator_id: target for target in Target.objects.filter(city=city)}
    for (indicator_id, subseries), item in series.items():
        if not subseries:
            item.target = targets.get(indicator_id)
    return group_by_dimension(series.values(), indicator_of=lambda item: item.indicator)


def indicator_years(indicator):
    return sorted(
        indicator.values.filter(subseries="").values_list("year", flat=True).distinct(),
        reverse=True,
    )


@dataclass
class Rank:
    city: City
    value: IndicatorValue | None
    rank: int | None = None


def ranking(indicator, year):
    """Every city with its headline value of that year, best first; cities without one last."""
    values = {
        value.city_id: value
        for value in indicator.values.filter(year=year, subseries="").select_related("city")
    }
    reverse = indicator.higher_is_better is not False
    with_value = sorted(
        (Rank(value.city, value) for value in values.values()),
        key=lambda rank: rank.value.value,
        reverse=reverse,
    )
    for position, rank in enumerate(with_value, start=1):
        rank.rank = position
    without = [Rank(city, None) for city in City.objects.exclude(id__in=values).order_by("name_en")]
    return with_value + without
