"""One error format for the whole API: {"detail": <message or per-field messages>, "code": <code>}.

DRF's default handler answers field errors as a bare dict and others as {"detail": ...}; clients
then need two parsers. Here every 4xx has the same two keys, and Django's Http404 and
PermissionDenied, and any ValueError raised while parsing input, become 4xx instead of a 500.
geoportal/refusals.py gives the same body to what middleware refuses before any view runs.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.views import exception_handler


def handle_api_exception(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        detail = exc.detail
        if isinstance(detail, list) and len(detail) == 1:
            detail = detail[0]
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        detail = exc.detail
    response.data = {"detail": detail, "code": code}
    return response


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def api_not_found(request, path=""):
    """Any /api/v1/ URL no endpoint answers: a JSON 404 in the one format, not Django's page."""
    raise exceptions.NotFound()
