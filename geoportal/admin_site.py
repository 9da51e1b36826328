"""The portal's admin site (admin.site, see geoportal/apps.py): the header in the reader's
language, the planners' home (the sections each app lists in settings.ADMIN_HOME_SECTIONS),
notices on every admin page (settings.ADMIN_NOTICES), and the page that explains a refusal
instead of Django's "does not exist" or a bare 403."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(AdminSite):
    site_header = _("Smart Cities of Belarus")
    site_title = _("Smart Cities of Belarus")
    index_title = _("Your home")

    @cached_property
    def home_sections(self):
        return [import_string(path) for path in settings.ADMIN_HOME_SECTIONS]

    @cached_property
    def notices(self):
        return [import_string(path) for path in settings.ADMIN_NOTICES]

    def each_context(self, request):
        context = super().each_context(request)
        if request.user.is_active and request.user.is_staff:
            # Delivered once: each source marks what it returns as seen.
            for notice in self.notices:
                for level, text in notice(request):
                    messages.add_message(request, level, text)
        return context

    def index(self, request, extra_context=None):
        sections = [section(request) for section in self.home_sections]
        extra_context = {**(extra_context or {}), "home_sections": [s for s in sections if s]}
        return super().index(request, extra_context)

    def refused(self, request, *, title, whose, reason, links=()):
        """A 403 page in the admin's look saying whose the object is and why the reader cannot
        change it; `links` are (label, url) pairs of what they can do instead."""
        context = {
            **self.each_context(request),
            "title": title,
            "whose": whose,
            "reason": reason,
            "links": links,
        }
        return TemplateResponse(request, "admin/refused.html", context, status=403)
