"""Switching the portal's language: every page to every language, its state kept.

Pages carry their language in the URL (/ru/..., /en/..., none for Belarusian); the API, OGC API,
tiles and admin have no prefix and follow the language cookie, which a switch sets (and which a
page of a language refreshes, so that the API docs and the admin follow the pages read last).
The switch is a form POSTing `language` and `next` to `set_language` (the page's switcher, the
OGC pages', the API docs' and the admin's); a script adds the page's current query and #fragment
to `next`, so that `?near=...` and `#map=...` survive.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

# Areas without a language prefix: the language cookie decides there (PortalLocaleMiddleware).
UNPREFIXED = ("/api/", "/ogc/", "/tiles/", "/admin/", "/i18n/", "/static/", "/media/")


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def path_language(path):
    """(language of the prefix or None, the path without it)."""
    first, _, rest = path.lstrip("/").partition("/")
    if first in language_codes():
        return first, "/" + rest
    return None, path


def switched_path(path, language):
    """The same page in `language`: /en/cities/pinsk/ -> /cities/pinsk/ (be) or /ru/cities/pinsk/
    (ru); unprefixed areas stay where they are."""
    _old, bare = path_language(path)
    if bare.startswith(UNPREFIXED) or language == settings.LANGUAGE_CODE:
        return bare
    return f"/{language}{bare}"


def switched_url(next_url, language, request):
    """`next_url` (path, query and fragment kept) for `language`; the portal's home page when
    `next_url` is missing or points to another site."""
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    parts = urlsplit(next_url if next_url and safe else "/")
    # Only the path, query and fragment of our own site: a full URL becomes a local one.
    path = switched_path(parts.path or "/", language)
    return urlunsplit(("", "", path, parts.query, parts.fragment))


@never_cache
def set_language(request):
    """POST language=<code>&next=<path?query#fragment>: the cookie is set and the browser goes
    to the same page in that language. An unknown language leaves the cookie alone."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or request.headers.get("referer") or "/"
    if language not in language_codes():
        _current, _bare = path_language(urlsplit(next_url).path)
        language = _current or settings.LANGUAGE_CODE
        return HttpResponseRedirect(switched_url(next_url, language, request))
    response = HttpResponseRedirect(switched_url(next_url, language, request))
    set_language_cookie(response, language)
    return response


def set_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
