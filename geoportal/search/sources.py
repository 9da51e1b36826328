"""What each kind of thing puts in the search index: its names and detail in be/ru/en, its
place, its page, its weight and its search terms (every spelling of its names, folded)."""

from django.conf import settings
from django.contrib.gis.db.models.functions import Envelope, PointOnSurface
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cities.models import City, Region, ServiceLocation
from geoportal.transliteration import fold, search_forms
from layers.models import Feature, Layer

from .models import Entry
from .words import belarusian_words

LANGUAGES = ("be", "ru", "en")
# Before similarity: the programme's cities, then regions, layers, then the many small things.
WEIGHTS = {"city": 1.0, "region": 0.8, "layer": 0.5, "service": 0.3, "feature": 0.25}
# Settlements (features with OpenStreetMap's `place`): a town before a village before a hamlet.
PLACE_WEIGHTS = {"city": 0.35, "town": 0.25, "suburb": 0.15, "village": 0.1, "hamlet": 0.0}
# Columns of a layer that name its features, in the order a page shows them.
LABEL_COLUMNS = ("name_be", "name_ru", "name_en", "name", "name_latin", "title", "label")
NAME_LENGTH = 200
KIND_LABELS = {
    "region": _("Region"), "city": _("City"), "service": _("Service"), "layer": _("Map layer"),
    "feature": _("Place on a map layer"),
}  # fmt: skip


def terms(*names, russian=()):
    """The index's terms for these names: each read as Belarusian and as Russian (its language is
    not always known), and Russian names also with their words put into Belarusian."""
    forms = []
    for name in names:
        if name:
            forms += search_forms(name)
    for name in russian:
        if name:
            forms.append(fold(belarusian_words(name), "be"))
    unique = [form for form in dict.fromkeys(forms) if form]
    return "| " + " | ".join(unique) + " |"


def default_url(name, *args):
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


def _names(obj, field="name"):
    return {f"name_{lang}": (getattr(obj, f"{field}_{lang}", "") or "")[:NAME_LENGTH]
            for lang in LANGUAGES}  # fmt: skip


def _in_languages(text_by_language):
    return {f"detail_{lang}": text_by_language(lang)[:300] for lang in LANGUAGES}


def _translated(obj, lang, field="name"):
    return (
        getattr(obj, f"{field}_{lang}", "")
        or getattr(obj, f"{field}_be", "")
        or getattr(obj, f"{field}_ru", "")
        or getattr(obj, f"{field}_en", "")
    )


def regions():
    for region in Region.objects.annotate(point=PointOnSurface("geom"), box=Envelope("geom")).defer(
        "geom"
    ):
        yield Entry(
            kind="region", key=region.slug, **_names(region),
            **_in_languages(lambda lang: _kind_label("region", lang)),
            url=f"{default_url('cities:list')}?region={region.slug}",
            location=region.point, extent=region.box, weight=WEIGHTS["region"],
            terms=terms(region.name_be, region.name_ru, region.name_en),
        )  # fmt: skip


def cities():
    for city in City.objects.select_related("region").annotate(box=Envelope("boundary")):
        yield Entry(
            kind="city", key=city.slug, **_names(city),
            **_in_languages(lambda lang, c=city: _translated(c.region, lang)),
            url=default_url("cities:detail", city.slug), location=city.location,
            extent=city.box, weight=WEIGHTS["city"],
            terms=terms(city.name_be, city.name_ru, city.name_en),
        )  # fmt: skip


def service_entry(service):
    def detail(lang):
        parts = [_translated(service.category, lang), service.address]
        if service.city_id:
            parts.append(_translated(service.city, lang))
        return " · ".join(p for p in parts if p)

    return Entry(
        kind="service", key=str(service.pk), **_names(service), **_in_languages(detail),
        url=default_url("services:page") + "?near={:.6f},{:.6f}".format(*service.location.coords),
        location=service.location, weight=WEIGHTS["service"],
        terms=terms(service.name_be, service.name_ru, service.name_en, service.address,
                    russian=[service.name_ru, service.address]),
    )  # fmt: skip


def services():
    for service in ServiceLocation.objects.select_related("category", "city").defer(
        "city__boundary"
    ):
        yield service_entry(service)


def layer_entry(layer):
    box = layer.extent
    return Entry(
        kind="layer", key=layer.slug, **_names(layer, "title"),
        **_in_languages(lambda lang: _kind_label("layer", lang)),
        url=default_url("layers:detail", layer.slug), layer=layer, version=layer.version,
        location=box.centroid if box else None, extent=box, weight=WEIGHTS["layer"],
        terms=terms(layer.title_be, layer.title_ru, layer.title_en, *layer.keywords),
    )  # fmt: skip


def layers():
    for layer in Layer.objects.filter(version__gt=0, extent__isnull=False):
        yield layer_entry(layer)


def label_columns(layer):
    """The string columns of `layer` that name its features."""
    strings = {a["name"] for a in layer.attributes if a.get("type") == "string"}
    return [name for name in LABEL_COLUMNS if name in strings]


def features(layer):
    """The named features of one layer (a layer without a name column has none to offer)."""
    columns = label_columns(layer)
    if not columns:
        return
    title = {lang: _translated(layer, lang, "title") for lang in LANGUAGES}
    rows = (
        Feature.objects.filter(layer=layer)
        .annotate(point=PointOnSurface("geom"), box=Envelope("geom"))
        .values_list("id", "properties", "point", "box")
        .iterator(chunk_size=5000)
    )
    for feature_id, properties, point, box in rows:
        values = [str(properties.get(c) or "") for c in columns]
        if not any(values):
            continue
        first = next(v for v in values if v)
        names = {
            lang: str(properties.get(f"name_{lang}") or properties.get("name") or first)
            for lang in LANGUAGES
        }
        weight = WEIGHTS["feature"] + PLACE_WEIGHTS.get(properties.get("place"), 0)
        yield Entry(
            kind="feature", key=str(feature_id), layer=layer, version=layer.version,
            **{f"name_{lang}": names[lang][:NAME_LENGTH] for lang in LANGUAGES},
            **_in_languages(lambda lang: title[lang]),
            url=default_url("layers:detail", layer.slug), location=point,
            extent=box if box.geom_type == "Polygon" else None, weight=weight,
            terms=terms(*values, russian=[properties.get("name_ru") or ""]),
        )  # fmt: skip


def _kind_label(kind, lang):
    with translation.override(lang):
        return str(KIND_LABELS[kind])
