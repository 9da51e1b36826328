"""What every OGC API response shares: media types and link relations, the choice between JSON
and HTML (f= or Accept), links (in the body and as HTTP Link headers), and the one error body;
ogc_endpoint makes a view a read-only resource that answers 405 with Allow for other methods, 400
for bad input and 404 for a missing resource, as JSON, never a 500."""

import json
from functools import wraps

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
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


def error_description(description):
    """The OpenAPI response object of a status answered with error_response's body."""
    exception = {"$ref": "#/components/schemas/exception"}
    return {"description": description, "content": {JSON: {"schema": exception}}}


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


READ_METHODS = ("GET", "HEAD", "OPTIONS")


def method_not_allowed(request, allowed):
    """405 with Allow listing `allowed`, as JSON."""
    allow = ", ".join(allowed)
    response = error_response(
        405, "MethodNotAllowed",
        _("Method %(method)s is not allowed here. Allowed: %(allow)s.")
        % {"method": request.method, "allow": allow},
    )  # fmt: skip
    response["Allow"] = allow
    return response


def ogc_endpoint(view):
    """A read-only resource: GET and HEAD run the view, OPTIONS names them in Allow, any other
    method is a 405 with Allow. Exempt from Django's CSRF middleware, which would answer an
    unsafe method with its HTML page first: nothing here writes (Part 4's writers are added
    around this by transactions.writable, which checks CSRF itself)."""
    answer = _answering_errors(view)

    @csrf_exempt
    @wraps(view)
    def endpoint(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return answer(request, *args, **kwargs)
        if request.method == "OPTIONS":
            return HttpResponse(status=204, headers={"Allow": ", ".join(READ_METHODS)})
        return method_not_allowed(request, READ_METHODS)

    return endpoint


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
