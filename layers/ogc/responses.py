"""What every OGC API response shares: media types and link relations, the choice between JSON
and HTML (f= or Accept), links, and the one error body; ogc_endpoint wraps each view so that bad
input answers 400 and a missing resource 404, as JSON, never a 500."""

import json
from functools import wraps

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
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


def ogc_endpoint(view):
    """GET/HEAD only; bad input -> 400 and a missing resource -> 404, as JSON, never a 500."""

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            return error_response(400, "InvalidParameterValue", _message(exc.detail))
        except Http404 as exc:
            return error_response(404, "NotFound", str(exc) or _("Not found."))

    return wrapper


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


def respond(request, template, data, media_type=JSON, headers=None):
    if output_format(request) == "html":
        response = render(request, f"ogc/{template}", {"data": data})
    else:
        body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        response = HttpResponse(body, content_type=media_type)
    for key, value in (headers or {}).items():
        response[key] = value
    return response
