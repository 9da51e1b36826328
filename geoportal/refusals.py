"""What the middleware answers when it refuses a request before any view runs (a NUL byte, too
many requests, an oversized upload, a server error): the API's one error body {"detail", "code"}
(with OGC's "description" under /ogc/), or plain text for pages.

No DRF view is imported here: DRF's settings load the throttle and authentication classes that
use this module.
"""

from django.http import HttpResponse, JsonResponse

# Where answers are JSON: the APIs, tiles, and the pages' own JSON endpoints.
JSON_PREFIXES = ("/api/", "/ogc/", "/tiles/")


def wants_json(request):
    path = request.path_info
    return path.startswith(JSON_PREFIXES) or path.endswith(".json")


def error_answer(request, status, code, message):
    """The one error body of the APIs ({"detail", "code"}, OGC's "description" too), or a plain
    text page elsewhere."""
    if wants_json(request):
        body = {"detail": message, "code": code}
        if request.path_info.startswith("/ogc/"):
            body["description"] = message
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
