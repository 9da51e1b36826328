"""The demo's service sources. They are stored as written here (with the row's id they are the
import's key, so they stay one text), and shown in the reader's language."""

from django.utils.translation import gettext_lazy as _

RAILWAY_SOURCE = "OsmBelarus railway stations; © OpenStreetMap contributors, ODbL"
MINSK_STOPS_SOURCE = "Minsk transport operator stop list via OsmBelarus (no licence stated)"
_NAMES = {
    RAILWAY_SOURCE: _("OsmBelarus railway stations; © OpenStreetMap contributors, ODbL"),
    MINSK_STOPS_SOURCE: _("Minsk transport operator stop list via OsmBelarus (no licence stated)"),
}


def source_label(source):
    """A source in the reader's language where the portal knows it, else as it was given."""
    return str(_NAMES.get(source, source))
