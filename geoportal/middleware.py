"""Middleware of the whole portal: languages (PortalLocaleMiddleware), API tokens beyond /api/
(TokenAuthenticationMiddleware), and the guards against hostile input: a NUL byte anywhere a
request can carry text is a 400 (HostileInputMiddleware), and an unexpected error is logged and
answered without its SQL, paths or traceback, with or without DEBUG (ServerErrorMiddleware)."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed, Throttled

from .authentication import LimitedTokenAuthentication
from .gis.uploads import declared_too_large, too_large_message
from .refusals import error_answer
from .throttling import too_many_requests

logger = logging.getLogger("geoportal.errors")


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
        if request.path_info.startswith(self.unprefixed):
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
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
                found = LimitedTokenAuthentication().authenticate(request)
            except Throttled as error:
                return too_many_requests(request, error.wait)
            except AuthenticationFailed as error:
                return JsonResponse(
                    {"detail": str(error.detail), "code": "authentication_failed"},
                    status=401,
                    headers={"WWW-Authenticate": "Token"},
                )
            if found is not None:
                request.user = found[0]
                # Writes by a token holder need no CSRF token (as in DRF); a session's do.
                request.authenticated_by_token = True
        return self.get_response(request)


def _carries_nul(request):
    if "\x00" in request.path_info:
        return True
    if any("\x00" in key or any("\x00" in value for value in values)
           for key, values in request.GET.lists()):  # fmt: skip
        return True
    # Headers and cookies reach the database too (tokens, sessions, languages).
    return any("\x00" in value for value in request.META.values() if isinstance(value, str))


class HostileInputMiddleware:
    """A NUL byte in the path, the query, a header or a cookie is a 400: PostgreSQL cannot store
    or compare one, and no real client sends one. (Form and JSON bodies are checked by Django's
    and DRF's own fields, which refuse NUL bytes.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _carries_nul(request):
            return error_answer(request, 400, "invalid", _("The request contains a NUL byte."))
        return self.get_response(request)


class ServerErrorMiddleware:
    """An exception no view turned into a 4xx: logged with its traceback, answered 500 without
    the exception's text (which may hold SQL or file paths), even when DEBUG is on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404 | PermissionDenied | SuspiciousOperation):
            return None  # Django answers these with their own 4xx
        logger.error("%s %s failed", request.method, request.path, exc_info=exception)
        return error_answer(
            request, 500, "server_error", _("Something went wrong on the server; it is logged.")
        )


class UploadLimitMiddleware:
    """A request body larger than MAX_UPLOAD_SIZE is a 413: at once when its Content-Length
    says so, else when LimitedUploadHandler has cut it off while CSRF checked a form (the admin's
    uploads) or the view read it (the API asks upload_refused)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_too_large(request):
            return error_answer(request, 413, "too_large", too_large_message())
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if getattr(request, "upload_too_large", False):
            return error_answer(request, 413, "too_large", too_large_message())
        return None
