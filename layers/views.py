"""Citizens' pages and files of the layers: catalogue, layer page, attribute table, downloads,
thumbnails, the national map's layer list, and vector tiles. Every view finds its layer through
permissions.visible_layers, so a layer the visitor may not see is a 404 everywhere."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError

from geoportal.query_params import parse_bbox, parse_int
from geoportal.throttling import reads_with_count

from . import tiles
from .access import LayerAccess
from .catalogue import (
    GEOMETRY_FAMILIES,
    CatalogueSearch,
    column_labels,
    filter_choices,
    keyword_labels,
    table_page,
    thumbnail_svg,
)
from .downloads import exporters, responses, store
from .editing.page import editing_config
from .maps import layer_map_config, map_layers
from .permissions import can_edit_layer, visible_layers
from .queries import FeatureQuery, text_match
from .styles import effective_style

CATALOGUE_PAGE_SIZE = 12
GEOMETRY_LABELS = [_lazy("points"), _lazy("lines"), _lazy("polygons")]


def _visible_layer(request, slug):
    return get_object_or_404(
        visible_layers(request.user).select_related("city", "owner"), slug=slug
    )


@require_GET
def catalogue(request):
    search = CatalogueSearch(
        text=request.GET.get("q", "").strip(),
        category=request.GET.get("category", ""),
        city=request.GET.get("city", ""),
        geometry=request.GET.get("geometry", ""),
        sort=request.GET.get("sort", "newest"),
    )
    page = Paginator(search.layers(request.user), CATALOGUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "layers/catalogue.html",
        {
            "search": search,
            "page": page,
            "query": query.urlencode(),
            **filter_choices(request.user),
            "geometries": list(zip(GEOMETRY_FAMILIES, GEOMETRY_LABELS, strict=True)),
        },
    )


@require_GET
def layer_detail(request, slug):
    layer = _visible_layer(request, slug)
    style = effective_style(layer)
    config = {
        **layer_map_config(request, layer, style),
        "tableUrl": reverse("layers:table", args=[layer.slug]),
        "citiesUrl": reverse("city-list"),
        "columns": [a["name"] for a in layer.attributes],
        "searchUrl": reverse("search"),
        "editing": editing_config(request, layer),
    }
    downloads = [
        (fmt, label, reverse("layers:download", args=[layer.slug, fmt]),
         store.stored_file(layer, fmt))
        for fmt, (label, _ext, _type) in exporters.FORMATS.items()
    ]  # fmt: skip
    return render(
        request,
        "layers/layer_detail.html",
        {
            "layer": layer,
            "config": config,
            "downloads": downloads,
            "legend": config["legend"],
            "columns": list(column_labels(layer).items()),
            "keywords": keyword_labels(layer.keywords),
            # Its planners get a "draft" banner and their way back to the admin.
            "editable": can_edit_layer(request.user, layer),
        },
    )


@require_GET
def layer_table(request, slug):
    layer = _visible_layer(request, slug)
    try:
        page = parse_int(request.GET.get("page"), "page", default=1, minimum=1)
        feature_id = parse_int(request.GET.get("id"), "id", minimum=1)
    except ValidationError as error:
        return JsonResponse({"detail": error.detail, "code": "invalid"}, status=400)
    data = table_page(
        layer,
        page=page,
        sort=request.GET.get("sort", ""),
        column=request.GET.get("column", ""),
        value=request.GET.get("value", ""),
        text=request.GET.get("q", "")[:200],
        feature_id=feature_id,
    )
    return JsonResponse(data)


@require_GET
def download(request, slug, fmt):
    layer = _visible_layer(request, slug)
    if fmt not in exporters.FORMATS:
        raise Http404(_("Unknown download format."))
    try:
        bbox = parse_bbox(request.GET["bbox"]) if request.GET.get("bbox") else None
    except ValidationError as error:
        return HttpResponseBadRequest(str(error.detail["bbox"]), content_type="text/plain")
    column, value = request.GET.get("column", ""), request.GET.get("value", "")
    query = FeatureQuery(
        layer, bbox=bbox, properties={column: value} if column and value else {},
        extra=text_match(request.GET.get("q", "")[:200]),
    )  # fmt: skip
    licence_url = request.build_absolute_uri(layer.get_absolute_url()) + "#licence"
    if exporters.is_selection(query):
        return responses.selection(request, query, fmt, licence_url)
    return responses.whole_layer(request, layer, fmt, licence_url)


@require_GET
def thumbnail(request, slug):
    layer = _visible_layer(request, slug)
    response = HttpResponse(thumbnail_svg(layer), content_type="image/svg+xml")
    response["Cache-Control"] = "max-age=300"
    return response


@require_GET
def national_map_layers(request):
    """The national map's layer switcher: layers by category, and the base maps."""
    basemaps = list(settings.BASEMAPS) or (
        [{"name": _("Standard"), "url": settings.BASEMAP_URL,
          "attribution": settings.BASEMAP_ATTRIBUTION}] if settings.BASEMAP_URL else []
    )  # fmt: skip
    return JsonResponse({"basemaps": basemaps, "groups": map_layers(request)})


def _matches(etag, request):
    """If-None-Match, compared weakly (RFC 9110): gzip makes the ETag sent out a weak one."""
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    return etag in {tag.removeprefix("W/") for tag in sent}


# Compressed here, once per tile and encoding, so that nginx's cache keeps the gzipped tile
# instead of compressing it again for every client. The layer's record and the tile come with the
# rate limit's count: one round trip to Redis for a cached tile.
@reads_with_count(tiles.cache_reads)
@require_GET
@gzip_page
def tile(request, slug, z, x, y):
    try:
        wanted = tiles.TileRequest(z, x, y)
    except tiles.TileOutOfRange as error:
        raise Http404(str(error)) from None
    read = getattr(request, "counted_reads", None)
    access, cached = tiles.tile_access(request.user, slug, wanted, read)
    if access is None:
        raise Http404
    etag = access.etag(wanted)
    if _matches(etag, request):
        response = HttpResponseNotModified()
    else:
        data = tiles.get_tile(access, wanted, cached)
        response = HttpResponse(data, content_type=tiles.MVT_CONTENT_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = tiles.cache_control(access)
    return response


@require_GET
def tilejson(request, slug):
    layer = _visible_layer(request, slug)
    access = LayerAccess.of(layer)
    # Titles are in the client's language; the tile URLs hold the layer's version.
    etag = f'"{access.pk}-{access.cache_version}-{request.LANGUAGE_CODE}"'
    if _matches(etag, request):
        response = HttpResponseNotModified()
    else:
        response = JsonResponse(tiles.tilejson(layer, tiles.tiles_template_url(request, layer)))
    response["ETag"] = etag
    response["Cache-Control"] = tiles.cache_control(access)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response
