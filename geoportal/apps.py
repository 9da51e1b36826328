from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, with the portal's site (geoportal/admin_site.py) as admin.site."""

    default_site = "geoportal.admin_site.PortalAdminSite"
