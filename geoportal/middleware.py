from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages take their language from the URL prefix (none for Belarusian). The API, OGC API,
    tiles and admin have no prefix: there the client's cookie or Accept-Language decides."""

    unprefixed = ("/api/", "/ogc/", "/tiles/", "/admin/")

    def process_request(self, request):
        if not request.path_info.startswith(self.unprefixed):
            return super().process_request(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if request.path_info.startswith(self.unprefixed):
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)
