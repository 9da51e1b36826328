"""What the admin shows of a layer in a list: its state in words (draft, published, importing,
failed, stuck), its last import, and its legend as small swatches drawn from the same style
as the map."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Layer, LayerVersion
from ..styles import geometry_family, legend

RUNNING = [Layer.Status.QUEUED, Layer.Status.IMPORTING]
SWATCHES = 5
# Plain words for the geometry types an import records, the type itself in the tooltip.
GEOMETRY_WORDS = {"point": _("points"), "line": _("lines"), "polygon": _("areas")}


def with_latest_version(queryset):
    """The layers with `latest`: a list holding their newest version (or nothing)."""
    newest = LayerVersion.objects.select_related("created_by").order_by("-number")[:1]
    return queryset.prefetch_related(Prefetch("versions", queryset=newest, to_attr="latest"))


def latest_version(layer):
    latest = getattr(layer, "latest", None)
    if latest is None:
        return layer.versions.order_by("-number").first()
    return latest[0] if latest else None


def is_stuck(version):
    """Queued or running for longer than settings.IMPORT_STUCK_MINUTES without a live worker
    (a heartbeat within IMPORT_STALE_SECONDS, see imports/recovery.py): no worker took it, or
    its worker is gone and the sweep has not (yet) tried it again."""
    now = timezone.now()
    if version.status not in RUNNING:
        return False
    if now - version.created <= timedelta(minutes=settings.IMPORT_STUCK_MINUTES):
        return False
    stale = timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    return version.heartbeat is None or now - version.heartbeat > stale


def layer_state(layer, version=None):
    """(code, words) of where the layer stands, for lists, badges and the home page."""
    version = version or latest_version(layer)
    if version is not None and version.status in RUNNING:
        if is_stuck(version):
            return "stuck", gettext("stuck: no result for over %(minutes)s minutes") % {
                "minutes": settings.IMPORT_STUCK_MINUTES
            }
        if version.status == Layer.Status.QUEUED:
            return "importing", gettext("waiting to be imported")
        return "importing", gettext("importing, %(progress)s%%") % {"progress": layer.progress}
    if version is not None and version.status == Layer.Status.FAILED:
        if layer.version:
            return "failed", gettext("the last upload failed; the previous data is shown")
        return "failed", gettext("the upload failed")
    if layer.is_draft:
        return "draft", gettext("draft: seen only by its planners")
    return "public", gettext("published")


def state_badge(layer, version=None):
    code, words = layer_state(layer, version)
    return format_html('<span class="layer-state layer-state-{}">{}</span>', code, words)


def last_import(version):
    """When, and what came of it, in one line."""
    if version is None:
        return "—"
    when = date_format(timezone.localtime(version.created), "SHORT_DATETIME_FORMAT")
    if version.status == Layer.Status.READY:
        result = gettext("%(count)s features") % {"count": (version.report or {}).get("imported")}
    elif version.status == Layer.Status.FAILED:
        result = version.error_message
    else:
        result = version.get_status_display()
    return format_html("{} · {} · {}", when, version.source_filename, result)


def geometry_words(layer):
    family = geometry_family(layer.geometry_type)
    if family is None:
        return "—"
    return format_html('<span title="{}">{}</span>', layer.geometry_type, GEOMETRY_WORDS[family])


def legend_swatches(layer):
    """The legend's first entries as small SVG symbols (attributes, not inline styles), each
    with its label as a tooltip."""
    if not layer.version:
        return "—"
    entries = legend(layer)
    family = geometry_family(layer.geometry_type) or "polygon"
    swatches = format_html_join(
        "",
        '<svg class="swatch" width="18" height="14" viewBox="0 0 18 14" role="img" '
        'aria-label="{0}"><title>{0}</title>{1}</svg>',
        ((entry["label"], _shape(family, entry["symbol"])) for entry in entries[:SWATCHES]),
    )
    more = len(entries) - SWATCHES
    if more > 0:
        swatches = format_html('{} <span class="swatch-more">+{}</span>', swatches, more)
    return format_html('<span class="legend-swatches">{}</span>', swatches)


def _shape(family, symbol):
    if family == "line":
        return format_html(
            '<line x1="1" y1="12" x2="17" y2="2" stroke="{}" stroke-opacity="{}" '
            'stroke-width="3"/>',
            symbol["stroke_colour"],
            symbol["stroke_opacity"],
        )
    shape = (
        '<circle cx="9" cy="7" r="5"'
        if family == "point"
        else '<rect x="1" y="1" width="16" height="12"'
    )
    return format_html(
        shape + ' fill="{}" fill-opacity="{}" stroke="{}" stroke-opacity="{}"/>',
        symbol["fill_colour"],
        max(symbol["fill_opacity"], 0.15),
        symbol["stroke_colour"],
        symbol["stroke_opacity"],
    )
