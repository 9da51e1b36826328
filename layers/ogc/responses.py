"""What every OGC API response shares: media types and link relations, the choice between JSON
and HTML (f= or Accept), links (in the body and as HTTP Link headers), and the one error body;
ogc_endpoint makes each view an Endpoint that answers the methods it declares, 405 with Allow for
the others, 400 for bad input and 404 for a missing resource, as JSON, never a 500."""

import json
from functools import update_wrapper

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from rest_framework.exceptions import ValidationError

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"

REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
REL_CONFORMANCE = "http://www.opengis.net/def/rel/ogc/1.0/conformance"
REL_DATA = "http://www.opengis.net/def/rel/ogc/1.0/data"
REL_TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
REL_TILING_SCHEMES = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
REL_TILESETS_VECTOR = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"


def error_response(status, code, description):
    # OGC's exception schema wants code and description; "detail" keeps the portal's one format.
    body = {"code": code, "description": description, "detail": description}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _message(detail):
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_message(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    return str(detail)


def _answering_errors(handler):
    """Bad input -> 400 and a missing resource -> 404, as JSON, never a 500."""

    def answer(request, *args, **kwargs):
        try:
            return handler(request, *args, **kwargs)
        except ValidationError as exc:
            return error_response(400, "InvalidParameterValue", _message(exc.detail))
        except Http404 as exc:
            return error_response(404, "NotFound", str(exc) or _("Not found."))

    return answer


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Endpoint:
    """One resource of the OGC API: a handler per HTTP method it allows (GET, which answers HEAD
    too, and whatever `handles` adds, e.g. Part 4's POST or PUT). OPTIONS lists them in Allow;
    any other method is a 405 with Allow, as JSON. The endpoint is exempt from Django's CSRF
    middleware, so that an unsupported method gets its 405 rather than a CSRF page; a handler of
    an unsafe method is wrapped in csrf_protect, so a cookie session still needs the token."""

    csrf_exempt = True

    def __init__(self, get):
        self.handlers = {"GET": _answering_errors(get)}
        update_wrapper(self, get)

    def handles(self, method):
        """Decorator: `@items.handles("POST")` adds a handler for that method."""

        def register(handler):
            self.handlers[method.upper()] = csrf_protect(_answering_errors(handler))
            return handler

        return register

    @property
    def allowed(self):
        methods = {*self.handlers, "HEAD", "OPTIONS"}
        order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        return [m for m in order if m in methods] + sorted(methods - set(order))

    def __call__(self, request, *args, **kwargs):
        allow = ", ".join(self.allowed)
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS":
            return HttpResponse(headers={"Allow": allow})
        handler = self.handlers.get(method)
        if handler is None:
            response = error_response(
                405, "MethodNotAllowed",
                _("Method %(method)s is not allowed here. Allowed: %(allow)s.")
                % {"method": request.method, "allow": allow},
            )  # fmt: skip
            response["Allow"] = allow
            return response
        return handler(request, *args, **kwargs)


def ogc_endpoint(view):
    """The view as the GET (and HEAD) handler of an Endpoint."""
    return Endpoint(view)


def output_format(request):
    """f= wins; else the Accept header; JSON when the client states no preference."""
    fmt = request.GET.get("f")
    if fmt is not None:
        fmt = fmt.lower()
        aliases = {"json": "json", "geojson": "json", "html": "html", GEOJSON: "json",
                   JSON: "json", HTML: "html"}  # fmt: skip
        if fmt not in aliases:
            raise ValidationError({"f": _("Supported formats: json, html.")})
        return aliases[fmt]
    accept = request.headers.get("Accept", "")
    html_at, json_at = accept.find(HTML), accept.find("json")
    if html_at >= 0 and (json_at < 0 or html_at < json_at):
        return "html"
    return "json"


def absolute(request, path, **query):
    url = request.build_absolute_uri(path)
    query = {key: value for key, value in query.items() if value is not None}
    return f"{url}?{urlencode(query)}" if query else url


def link(href, rel, media_type, title=""):
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def self_links(request, path, json_type=JSON, **query):
    """self and alternate links for a resource served as JSON and HTML."""
    fmt = output_format(request)
    json_link = link(absolute(request, path, f="json", **query), "self", json_type,
                     _("This document as JSON"))  # fmt: skip
    html_link = link(absolute(request, path, f="html", **query), "self", HTML,
                     _("This document as HTML"))  # fmt: skip
    if fmt == "json":
        html_link["rel"] = "alternate"
    else:
        json_link["rel"] = "alternate"
    return [json_link, html_link]


def link_header(links):
    """The links as an HTTP Link header (RFC 8288), which clients and the OGC test suites read
    without parsing the body. Titles stay in the body: a header holds Latin-1 only."""
    return ", ".join(f'<{item["href"]}>; rel="{item["rel"]}"; type="{item["type"]}"'
                     for item in links)  # fmt: skip


def respond(request, template, data, media_type=JSON, headers=None, links=None):
    """JSON (or `data` already as JSON text) or the HTML page; `links` (by default the document's
    own) go into the Link header."""
    if output_format(request) == "html":
        response = render(request, f"ogc/{template}", {"data": data})
    else:
        body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        response = HttpResponse(body, content_type=media_type)
    if links is None and isinstance(data, dict):
        links = data.get("links")
    if links:
        response["Link"] = link_header(links)
    for key, value in (headers or {}).items():
        response[key] = value
    return response
