"""OGC API - Features Part 4 (Create, Replace, Update, Delete) on the map layers' collections:
POST to /items, PUT, PATCH (JSON merge patch) and DELETE on /items/{id}, with optimistic
concurrency (ETag on every item, If-Match honoured: 412 when stale). OPTIONS answers which of
these the client may use (QGIS asks it before it offers editing).

Who: token holders and session users whom layers/permissions.py lets edit the layer. As in DRF,
CSRF is enforced for session users (the layer page sends its token) and not for token holders.
Anonymous writes are a 401, other cities' planners a 403, the built-in collections (regions,
cities, services) a 405. The change itself is layers/editing/features.py's, the layer page's
own write path too.
"""

import json
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import ValidationError

from ..editing.checks import EditRefused
from ..editing.features import change_feature, create_feature, delete_feature
from ..permissions import can_edit_layer
from . import crs as crs_module
from .providers import LayerProvider, collection
from .responses import (
    GEOJSON,
    READ_METHODS,
    error_description,
    error_response,
    method_not_allowed,
)

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
]
BODY_TYPES = ("application/geo+json", "application/json", "application/merge-patch+json")


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check, answering the reason of a failure instead of a response."""

    def _reject(self, request, reason):
        return reason


def _csrf_failure(request):
    check = _CsrfCheck(lambda request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def writable(**writers):
    """Wrap an OGC read view (GET, HEAD) with the Part 4 writers for other methods, e.g.
    writable(POST=create_item); OPTIONS and the 405 name the methods allowed."""

    def decorate(read_view):
        @csrf_exempt
        @wraps(read_view)
        def endpoint(request, collection_id, **kwargs):
            method = request.method
            if method == "OPTIONS":
                return _options(request, collection_id, writers)
            if method in ("GET", "HEAD"):
                return read_view(request, collection_id, **kwargs)
            if method not in writers:
                return method_not_allowed(request, (*READ_METHODS, *writers))
            try:
                return _write(request, collection_id, writers[method], kwargs)
            except EditRefused as error:
                return error_response(error.status, error.code, str(error))
            except ValidationError as error:
                return error_response(400, "InvalidParameterValue", _flat(error.detail))

        return endpoint

    return decorate


def _flat(detail):
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flat(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(map(_flat, detail))
    return str(detail)


def _editable_layer(user, collection_id):
    provider = collection(user, collection_id)
    if isinstance(provider, LayerProvider) and can_edit_layer(user, provider.layer):
        return provider.layer
    return None


def _options(request, collection_id, writers):
    allowed = list(READ_METHODS)
    if request.user.is_authenticated and _editable_layer(request.user, collection_id):
        allowed += list(writers)
    response = HttpResponse(status=204)
    response["Allow"] = ", ".join(allowed)
    return response


def _write(request, collection_id, writer, kwargs):
    user = request.user
    token = getattr(request, "authenticated_by_token", False)
    if not user.is_authenticated:
        message = _("Editing needs an API token or a signed-in session.")
        response = error_response(401, "NotAuthenticated", message)
        response["WWW-Authenticate"] = "Token"
        return response
    if not token:
        reason = _csrf_failure(request)
        if reason:
            return error_response(403, "PermissionDenied", f"CSRF: {reason}")
    provider = collection(user, collection_id)
    if provider is None:
        return error_response(404, "NotFound", _("No collection %(id)s.") % {"id": collection_id})
    if not isinstance(provider, LayerProvider):
        return error_response(405, "MethodNotAllowed",
                              _("This collection cannot be edited through the API."))  # fmt: skip
    if not can_edit_layer(user, provider.layer):
        return error_response(403, "PermissionDenied", _("You may not edit this layer."))
    context = {"user": user, "layer": provider.layer, "via": "ogc" if token else "page"}
    return writer(request, context, **kwargs)


def _body(request):
    content_type = request.content_type or ""
    if content_type not in BODY_TYPES:
        raise EditRefused(
            _("Send the feature as %(types)s.") % {"types": ", ".join(BODY_TYPES)}, 415,
            "UnsupportedMediaType",
        )  # fmt: skip
    try:
        raw = request.body
    except RequestDataTooBig:
        raise EditRefused(_("The feature is too large."), 413, "PayloadTooLarge") from None
    except RawPostDataException:  # pragma: no cover - the body is only read here
        raise EditRefused(_("The request body could not be read."), 400, "InvalidBody") from None

    def refuse_constant(name):
        raise ValueError(name)

    try:
        data = json.loads(raw, parse_constant=refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise EditRefused(_("The body is not valid JSON."), 400, "InvalidBody") from None
    if not isinstance(data, dict):
        raise EditRefused(_("The body must be a GeoJSON Feature."), 400, "InvalidBody")
    return data


def _crs_options(request):
    """Content-Crs: <uri> (Part 2): the CRS of the geometry sent, CRS84 when absent."""
    value = request.headers.get("Content-Crs", "").strip().strip("<>")
    crs = crs_module.parse_crs(value, "Content-Crs") if value else crs_module.BY_URI[
        crs_module.CRS84]  # fmt: skip
    return {"srid": crs.srid, "flip_axes": crs.northing_first}


def _is_id(value):
    return value.isascii() and value.isdigit() and len(value) <= 18


def _feature_id(value):
    if not _is_id(value):
        raise EditRefused(_("No item %(id)s in this collection.") % {"id": value[:40]}, 404,
                          "NotFound")  # fmt: skip
    return int(value)


def _feature_response(change, status=200, location=None):
    response = HttpResponse(json.dumps(change.feature, ensure_ascii=False), status=status,
                            content_type=GEOJSON)  # fmt: skip
    response["ETag"] = change.etag
    # The recorded change, which the layer page's undo reverts (layers/editing/views.py).
    response["Edit-Id"] = str(change.edit.pk)
    if location:
        response["Location"] = location
    return response


def create_item(request, context):
    data = _body(request)
    if data.get("type") != "Feature":
        raise EditRefused(_("The body must be a GeoJSON Feature."), 400, "InvalidBody")
    change = create_feature(
        context["user"], context["layer"], data.get("geometry"), data.get("properties"),
        via=context["via"], crs_options=_crs_options(request),
    )  # fmt: skip
    path = reverse("ogc:item", args=[context["layer"].slug, change.feature_id])
    return _feature_response(change, 201, request.build_absolute_uri(path))


def replace_item(request, context, feature_id):
    data = _body(request)
    if data.get("type") != "Feature":
        raise EditRefused(_("The body must be a GeoJSON Feature."), 400, "InvalidBody")
    change = change_feature(
        context["user"], context["layer"], _feature_id(feature_id),
        geometry=data.get("geometry"), properties=data.get("properties") or {}, replace=True,
        if_match=request.headers.get("If-Match"), via=context["via"],
        crs_options=_crs_options(request),
    )  # fmt: skip
    return _feature_response(change)


def update_item(request, context, feature_id):
    data = _body(request)
    change = change_feature(
        context["user"], context["layer"], _feature_id(feature_id),
        geometry=data.get("geometry"), properties=data.get("properties") or {},
        if_match=request.headers.get("If-Match"), via=context["via"],
        crs_options=_crs_options(request),
    )  # fmt: skip
    return _feature_response(change)


def delete_item(request, context, feature_id):
    change = delete_feature(
        context["user"], context["layer"], _feature_id(feature_id),
        if_match=request.headers.get("If-Match"), via=context["via"],
    )  # fmt: skip
    return HttpResponse(status=204, headers={"Edit-Id": str(change.edit.pk)})


def _operation(summary, operation_id, body_type, success, *, if_match=False):
    errors = {
        "400": "Invalid feature: not GeoJSON, a wrong attribute type, an invalid geometry or "
        "one outside Belarus",
        "401": "No API token or session", "403": "Not allowed to edit this layer",
        "404": "No such collection or item", "405": "A collection that cannot be edited",
        "409": "The layer is being re-imported from a file",
        "412": "If-Match does not match the item's current ETag",
        "413": "The feature is too large",
        "415": "Unsupported body type",
        "429": "Too many requests (see the Retry-After header)",
    }  # fmt: skip
    operation = {
        "summary": summary,
        "operationId": operation_id,
        "parameters": [
            {"name": "Content-Crs", "in": "header", "required": False,
             "description": "CRS of the geometry sent, as <URI> (CRS84 when absent)",
             "schema": {"type": "string"}},
        ],
        "responses": {**success,
                      **{code: error_description(text) for code, text in errors.items()}},
        "security": [{"token": []}, {"session": []}],
    }  # fmt: skip
    if if_match:
        operation["parameters"].append(
            {"name": "If-Match", "in": "header", "required": False,
             "description": "The ETag the client read: the change is refused (412) if the item "
             "has changed since", "schema": {"type": "string"}}
        )  # fmt: skip
    if body_type:
        content = {body_type: {"schema": {"type": "object"}}}
        operation["requestBody"] = {"required": True, "content": content}
    return operation


def add_openapi_operations(paths, components):
    """The Part 4 operations on the items paths of the OpenAPI document (openapi.py)."""
    item = {
        "description": "The item as stored",
        "headers": {"ETag": {"schema": {"type": "string"}}},
    }
    text = {"schema": {"type": "string"}}
    created = {"description": "Created", "headers": {"Location": text, "ETag": text}}
    paths["/collections/{collectionId}/items"]["post"] = _operation(
        "Add an item to a map layer", "createFeature", GEOJSON, {"201": created}
    )
    one = paths["/collections/{collectionId}/items/{featureId}"]
    one["put"] = _operation(
        "Replace an item", "replaceFeature", GEOJSON, {"200": item}, if_match=True
    )
    one["patch"] = _operation(
        "Change an item (JSON merge patch: geometry and/or some properties)",
        "updateFeature",
        "application/merge-patch+json",
        {"200": item},
        if_match=True,
    )
    one["delete"] = _operation(
        "Delete an item", "deleteFeature", None, {"204": {"description": "Deleted"}}, if_match=True
    )
    components["securitySchemes"] = {
        "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                  "description": "Token <key> (issued in the admin)"},
        "session": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                    "description": "A signed-in session, with the X-CSRFToken header"},
    }  # fmt: skip
