from django.conf import settings
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .languages import set_language_cookie


def default_language_redirect(request):
    """/be/... (the default language spelt out, typed or from an old link) -> the same address
    without the prefix, where the Belarusian pages live; None for any other path."""
    prefix = f"/{settings.LANGUAGE_CODE}"
    full_path = request.get_full_path()
    rest = full_path[len(prefix) :]
    if not full_path.startswith(prefix) or rest[:1] not in ("", "/", "?"):
        return None
    # One leading slash only: "/be//example.org" must not become a protocol-relative URL.
    target = "/" + rest.lstrip("/")
    response = HttpResponsePermanentRedirect(target)
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308  # keeps the method and body
    return response


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages take their language from the URL prefix (none for Belarusian). The API, OGC API,
    tiles and admin have no prefix: there the client's cookie or Accept-Language decides."""

    unprefixed = ("/api/", "/ogc/", "/tiles/", "/admin/")

    def process_request(self, request):
        redirect = default_language_redirect(request)
        if redirect is not None:
            return redirect
        if not request.path_info.startswith(self.unprefixed):
            return super().process_request(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        language = translation.get_language()
        if request.path_info.startswith(self.unprefixed):
            response.headers.setdefault("Content-Language", language)
            return response
        # A page read in a language makes it the chosen one: the API docs, OGC pages and the
        # admin (no prefix, cookie-driven) then follow it.
        if (
            response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
        ):
            set_language_cookie(response, language)
        return super().process_response(request, response)


class TokenAuthenticationMiddleware:
    """The API tokens (issued in the admin) open the OGC API, tiles, TileJSON and downloads to
    their holders too, as they do under /api/ (where DRF authenticates on its own): with an
    `Authorization: Token <key>` header, request.user is the token's user, so QGIS, GDAL and
    scripts read what that user may see. A wrong token is a 401, never a silent anonymous read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_AUTHORIZATION" in request.META and not request.path_info.startswith("/api/"):
            try:
                found = TokenAuthentication().authenticate(request)
            except AuthenticationFailed as error:
                return JsonResponse(
                    {"detail": str(error.detail), "code": "authentication_failed"},
                    status=401,
                    headers={"WWW-Authenticate": "Token"},
                )
            if found is not None:
                request.user = found[0]
        return self.get_response(request)
