"""How planners hear that their import has ended: a notice on their next admin page (listed in
settings.ADMIN_NOTICES) and, when settings.IMPORT_NOTICE_EMAIL is on and they have an address,
an e-mail through Django's mail settings, in the language they uploaded in."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..models import Layer, LayerVersion

logger = logging.getLogger(__name__)
FINISHED = [Layer.Status.READY, Layer.Status.FAILED]


def outcome(version):
    """One sentence on how the version's import ended, in the active language."""
    values = {
        "file": version.source_filename,
        "layer": version.layer,
        "count": (version.report or {}).get("imported", 0),
        "error": version.error_message,
    }
    if version.status == Layer.Status.READY:
        return (
            _("The import of %(file)s into “%(layer)s” has finished: %(count)s features.") % values
        )
    return _("The import of %(file)s into “%(layer)s” has failed: %(error)s") % values


def admin_notices(request):
    """(level, message) for each of the user's imports that ended since their last admin page;
    each is shown once."""
    versions = LayerVersion.objects.filter(
        created_by=request.user, notice_pending=True, status__in=FINISHED
    ).select_related("layer")
    notices = []
    for version in versions:
        link = reverse("admin:layers_layer_change", args=[version.layer_id])
        level = messages.SUCCESS if version.status == Layer.Status.READY else messages.ERROR
        notices.append(
            (level, format_html('{} <a href="{}">{}</a>', outcome(version), link, _("Open")))
        )
    LayerVersion.objects.filter(pk__in=[v.pk for v in versions]).update(notice_pending=False)
    return notices


def send_import_email(version_id):
    """The e-mail of an ended import to its planner, when configured; a mail server that fails
    is logged and does not fail the import."""
    if not settings.IMPORT_NOTICE_EMAIL:
        return
    version = LayerVersion.objects.select_related("layer", "created_by").get(pk=version_id)
    user = version.created_by
    if user is None or not user.email:
        return
    with translation.override(version.language or settings.LANGUAGE_CODE):
        subject = _("Geoportal: the import into “%(layer)s” has ended") % {"layer": version.layer}
        body = "\n\n".join(
            [
                outcome(version),
                _("The layer in the admin: %(path)s")
                % {"path": reverse("admin:layers_layer_change", args=[version.layer_id])},
            ]
        )
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:
        logger.exception("the e-mail about version %s could not be sent", version_id)
